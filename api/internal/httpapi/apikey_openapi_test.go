package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/downlink/downlink/api/internal/authz"
)

// TestSwaggerCanSendAKey: the served openapi.yaml declares both ways of
// sending a key (so Swagger UI's Authorize dialog offers them) and the
// server accepts a key either way. Clicking through Swagger UI itself is
// the browser suite's job.
func TestSwaggerCanSendAKey(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	raw := w.env.Client().Get("/openapi.yaml").Expect(http.StatusOK).Body
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("served openapi.yaml: %v", err)
	}
	schemes := doc.Components.SecuritySchemes
	bearer, header := schemes["bearerKey"], schemes["apiKeyHeader"]
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" {
		t.Fatalf("bearerKey scheme: %+v", bearer)
	}
	if header == nil || header.Value.Type != "apiKey" || header.Value.In != "header" || header.Value.Name != "X-API-Key" {
		t.Fatalf("apiKeyHeader scheme: %+v", header)
	}
	offered := map[string]bool{}
	for _, req := range doc.Security {
		for name := range req {
			offered[name] = true
		}
	}
	if !offered["bearerKey"] || !offered["apiKeyHeader"] {
		t.Fatalf("the document's security %v does not offer both key schemes", doc.Security)
	}
	if op := doc.Paths.Find("/api/v1/system").Get; op == nil || op.Security != nil {
		t.Fatal("GET /api/v1/system should use the document's security (keys included)")
	}

	k := createKey(t, w.userC, "swagger", []authz.Scope{authz.ScopeDownloadsRead})
	for _, h := range [][2]string{
		{"X-API-Key", k.Key},
		{"Authorization", "Bearer " + k.Key},
		{"Authorization", "bearer " + k.Key}, // the scheme is case-insensitive
	} {
		w.env.Client().Header(h[0], h[1]).Get("/api/v1/system").Expect(http.StatusOK)
	}
	w.env.Client().Get("/swagger/index.html").Expect(http.StatusOK)
}

package apikeys_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
)

// BenchmarkAuthenticate measures one request's key check against a real
// database (SQLite unless TEST_DB=postgres): checksum, hash, one indexed
// lookup joined with the owner.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b, authz.RoleUser)
	k := f.newKey(b, apikeys.Spec{})
	ctx := authz.WithClientIP(context.Background(), "192.0.2.10")
	r := httptest.NewRequest("GET", "/api/v1/system", nil)
	r.Header.Set("Authorization", "Bearer "+k.Key)
	for b.Loop() {
		p, err := f.keys.Authenticate(ctx, r)
		if err != nil || p == nil || p.APIKeyID != k.ID {
			b.Fatalf("Authenticate = %v, %v", p, err)
		}
	}
}

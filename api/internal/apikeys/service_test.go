package apikeys_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func days(n int) *int { return &n }

// invalidField returns the field a 422 names, or "" for any other error.
func invalidField(err error) string {
	var p *problem.Problem
	if errors.As(err, &p) && p.Status == 422 && len(p.Errors) == 1 {
		return p.Errors[0].Field
	}
	return ""
}

// TestExpiryPolicy: the configured default applies when no expiry is
// given, and nothing (not even "never") may exceed the maximum.
func TestExpiryPolicy(t *testing.T) {
	f := newFixture(t, authz.RoleUser)
	ctx := context.Background()
	f.keys = apikeys.New(f.st.DB, storetest.Logger(), func(context.Context) (*int, *int) { return days(30), days(90) })
	now := time.Now().UTC()
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }

	tests := []struct {
		name       string
		spec       apikeys.Spec
		wantField  string
		wantExpiry time.Duration // from now, when created
	}{
		{"default applies", apikeys.Spec{}, "", 30 * 24 * time.Hour},
		{"within the maximum", apikeys.Spec{ExpiresSet: true, ExpiresAt: at(60 * 24 * time.Hour)}, "", 60 * 24 * time.Hour},
		{"beyond the maximum", apikeys.Spec{ExpiresSet: true, ExpiresAt: at(91 * 24 * time.Hour)}, "expires_at", 0},
		{"never, with a maximum", apikeys.Spec{ExpiresSet: true}, "expires_at", 0},
		{"in the past", apikeys.Spec{ExpiresSet: true, ExpiresAt: at(-time.Minute)}, "expires_at", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := tt.spec
			sp.Name, sp.Scopes = "k", []authz.Scope{authz.ScopeFilesRead}
			k, err := f.keys.Create(ctx, f.owner, sp)
			if tt.wantField != "" {
				if got := invalidField(err); got != tt.wantField {
					t.Fatalf("err %v, want a 422 on %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.ExpiresAt == nil || k.ExpiresAt.Sub(now.Add(tt.wantExpiry)).Abs() > time.Minute {
				t.Fatalf("expires_at %v, want about now + %v", k.ExpiresAt, tt.wantExpiry)
			}
		})
	}

	k := f.newKey(t, apikeys.Spec{})
	_, err := f.keys.Update(ctx, f.owner, k.ID, apikeys.Spec{ExpiresSet: true}, func(context.Context, uuid.UUID) (authz.Role, error) {
		return authz.RoleUser, nil
	})
	if got := invalidField(err); got != "expires_at" {
		t.Fatalf("removing the expiry under a maximum: %v", err)
	}
}

package apikeys_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/users"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is a fresh database with the keys service and one user.
type fixture struct {
	st    *store.Store
	keys  *apikeys.Service
	owner *authz.Principal
}

func newFixture(t testing.TB, role authz.Role) fixture {
	t.Helper()
	st := storetest.New(t)
	u, err := users.New(st.DB, users.WithPasswordParams(users.PasswordParams{MemoryKiB: 8, Time: 1, Threads: 1})).CreateLocal(context.Background(), users.NewLocal{
		Email: "owner-" + uuid.NewString()[:8] + "@example.com", Role: role, Password: "correct horse battery",
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: st, keys: apikeys.New(st.DB, storetest.Logger(), nil),
		owner: &authz.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Method: authz.MethodSession}}
}

// newKey creates a key for the fixture's owner.
func (f fixture) newKey(t testing.TB, sp apikeys.Spec) apikeys.Created {
	t.Helper()
	if sp.Name == "" {
		sp.Name = "test key"
	}
	if sp.Scopes == nil {
		sp.Scopes = []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeDownloadsWrite}
	}
	k, err := f.keys.Create(context.Background(), f.owner, sp)
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return k
}

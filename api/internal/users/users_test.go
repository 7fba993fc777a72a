package users_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/users"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// cheap are argon2id's lowest costs: these tests are about accounts, not
// hashing cost (password_test.go checks the server's costs).
var cheap = users.PasswordParams{MemoryKiB: 8, Time: 1, Threads: 1}

func newService(t *testing.T) *users.Service {
	t.Helper()
	return users.New(storetest.New(t).DB, users.WithPasswordParams(cheap))
}

func mustCreate(t *testing.T, s *users.Service, email string, role authz.Role) users.User {
	t.Helper()
	u, err := s.CreateLocal(context.Background(), users.NewLocal{Email: email, Role: role, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func TestCheckLocalPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t)
	ada := mustCreate(t, s, "ada@example.com", authz.RoleUser)
	gone := mustCreate(t, s, "gone@example.com", authz.RoleUser)
	disabled := true
	if _, _, err := s.Update(ctx, gone.ID, users.Change{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SignInOIDC(ctx, users.Identity{Issuer: "https://id.example", Subject: "42", Email: "sso@example.com", EmailVerified: true}, users.SignupRules{Open: true}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, email, password string
		ok                    bool
	}{
		{"right password", "ada@example.com", "correct horse battery", true},
		{"e-mail in another case, with spaces", "  ADA@Example.COM ", "correct horse battery", true},
		{"wrong password", "ada@example.com", "correct horse battery!", false},
		{"empty password", "ada@example.com", "", false},
		{"unknown e-mail", "nobody@example.com", "correct horse battery", false},
		{"empty e-mail", "", "", false},
		{"oidc account has no password", "sso@example.com", "", false},
		{"disabled account, right password", "gone@example.com", "correct horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := s.CheckLocalPassword(ctx, tt.email, tt.password)
			if tt.ok {
				if err != nil || u.ID != ada.ID {
					t.Fatalf("%+v, %v", u, err)
				}
				return
			}
			// Every refusal is the same answer, so it reveals nothing.
			if !errors.Is(err, users.ErrInvalidCredentials) || u.ID != ada.ID && u.Email != "" {
				t.Fatalf("%+v, %v; want ErrInvalidCredentials", u, err)
			}
		})
	}
}

// TestCheckLocalPasswordCostsAHash: every refusal costs one full password
// hash, like a wrong password does (the dummy hash when there is no
// account or no password), so response times do not tell which e-mails
// have accounts. (Counted rather than timed: timings lie on a busy box.)
func TestCheckLocalPasswordCostsAHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t)
	ada := mustCreate(t, s, "ada@example.com", authz.RoleUser)
	if _, _, err := s.SignInOIDC(ctx, users.Identity{Issuer: "https://id.example", Subject: "1", Email: "sso@example.com", EmailVerified: true}, users.SignupRules{Open: true}); err != nil {
		t.Fatal(err)
	}
	checked := users.WatchHashChecks(s)
	tests := []struct {
		name, email string
		dummy       bool
	}{
		{"wrong password", ada.Email, false},
		{"unknown e-mail", "nobody@example.com", true},
		{"account without a password", "sso@example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*checked = nil
			if _, err := s.CheckLocalPassword(ctx, tt.email, "wrong password"); !errors.Is(err, users.ErrInvalidCredentials) {
				t.Fatal(err)
			}
			if len(*checked) != 1 || ((*checked)[0] == users.DummyHash(s)) != tt.dummy {
				t.Fatalf("checked %d hashes (dummy: %v), want one (dummy: %v)", len(*checked), len(*checked) > 0 && (*checked)[0] == users.DummyHash(s), tt.dummy)
			}
		})
	}
}

func TestCreateLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newService(t)
	u := mustCreate(t, s, "Grace@Example.com", authz.RoleAdmin)
	if u.Email != "grace@example.com" || u.Name != "grace" || u.Role != authz.RoleAdmin || u.AuthSource != users.SourceLocal {
		t.Fatalf("created %+v", u)
	}
	tests := []struct {
		name string
		n    users.NewLocal
		want error
	}{
		{"same e-mail in another case", users.NewLocal{Email: "GRACE@example.com", Role: authz.RoleUser, Password: "long enough"}, users.ErrEmailTaken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CreateLocal(ctx, tt.n); !errors.Is(err, tt.want) {
				t.Fatalf("%v, want %v", err, tt.want)
			}
		})
	}
	for name, n := range map[string]users.NewLocal{
		"short password": {Email: "a@example.com", Role: authz.RoleUser, Password: "short"},
		"bad e-mail":     {Email: "not an e-mail", Role: authz.RoleUser, Password: "long enough"},
		"bad role":       {Email: "b@example.com", Role: "root", Password: "long enough"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.CreateLocal(ctx, n); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestLastAdminGuardConcurrent: admins who demote or disable each other at
// the same moment never leave Downlink without an active admin, and the
// loser gets the last-admin answer, not a database error.
func TestLastAdminGuardConcurrent(t *testing.T) {
	t.Parallel()
	demote, disable := authz.RoleUser, true
	changes := map[string]users.Change{
		"demote":  {Role: &demote},
		"disable": {Disabled: &disable},
	}
	type race struct {
		name   string
		admins int
		change []string // one change per admin, each applied to the next admin
	}
	races := []race{
		{"two admins demote each other", 2, []string{"demote", "demote"}},
		{"two admins disable each other", 2, []string{"disable", "disable"}},
		{"one demotes, one disables", 2, []string{"demote", "disable"}},
		{"three admins demote each other", 3, []string{"demote", "demote", "demote"}},
	}
	ctx := context.Background()
	for _, rc := range races {
		t.Run(rc.name, func(t *testing.T) {
			for round := range 3 {
				s := newService(t) // exactly rc.admins active admins
				var admins []users.User
				for i := range rc.admins {
					admins = append(admins, mustCreate(t, s, fmt.Sprintf("admin-%d@example.com", i), authz.RoleAdmin))
				}
				start := make(chan struct{})
				errs := make([]error, rc.admins)
				var wg sync.WaitGroup
				for i := range rc.admins {
					target := admins[(i+1)%rc.admins].ID
					wg.Go(func() {
						<-start
						_, _, errs[i] = s.Update(ctx, target, changes[rc.change[i]])
					})
				}
				close(start)
				wg.Wait()
				won := 0
				for _, err := range errs {
					switch {
					case err == nil:
						won++
					case !errors.Is(err, users.ErrLastAdmin):
						t.Fatalf("round %d: %v; want success or ErrLastAdmin", round, err)
					}
				}
				if won != rc.admins-1 {
					t.Fatalf("round %d: %d of %d changes succeeded, want %d (errors %v)", round, won, rc.admins, rc.admins-1, errs)
				}
				list, err := s.List(ctx, users.ListParams{Role: authz.RoleAdmin, Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				active := 0
				for _, u := range list.Items {
					if !u.Disabled {
						active++
					}
				}
				if active != 1 {
					t.Fatalf("round %d: %d active admins", round, active)
				}
			}
		})
	}
}

func TestAvatarAllowed(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://avatars.githubusercontent.com/u/1?v=4":  true,
		"https://lh3.googleusercontent.com/a/xyz=s96-c":  true,
		"https://www.gravatar.com/avatar/abc":            true,
		"https://id.example.com/pic.png":                 true, // the issuer's host
		"http://avatars.githubusercontent.com/u/1":       false,
		"https://tracker.example/pixel.png":              false,
		"https://avatars.githubusercontent.com.evil/x":   false,
		"https://googleusercontent.com.evil.example/x":   false,
		"https://a@avatars.githubusercontent.com/u/1":    false,
		"https://avatars.githubusercontent.com:8443/u/1": false,
		"javascript:alert(1)":                            false,
	} {
		if got := users.AvatarAllowed(raw, "id.example.com"); got != want {
			t.Errorf("AvatarAllowed(%q) = %v, want %v", raw, got, want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/users"
)

// cliIn runs `downlink args…` with stdin and returns its exit code and output.
func cliIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// addSession gives u a signed-in browser, as the server would store it.
func addSession(t *testing.T, st *store.Store, u users.User) {
	t.Helper()
	now := time.Now().UTC()
	err := st.DB.Exec("INSERT INTO sessions (id, data, created_at, updated_at, expires_at, absolute_expires_at, user_id, public_id) VALUES (?, '', ?, ?, ?, ?, ?, ?)",
		uuid.NewString(), now, now, now.Add(time.Hour), now.Add(time.Hour), u.ID, uuid.New()).Error
	if err != nil {
		t.Fatal(err)
	}
}

func countSessions(t *testing.T, st *store.Store, u users.User) int64 {
	t.Helper()
	var n int64
	if err := st.DB.Table("sessions").Where("user_id = ?", u.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUserCommand: accounts made and changed from the console can sign in
// with what was set, and the last admin stays an admin.
func TestUserCommand(t *testing.T) {
	_, dbFlags := cliDatabase(t)
	st := openTestStore(t)
	svc := users.New(st.DB)
	ctx := context.Background()
	canSignIn := func(email, password string) users.User {
		t.Helper()
		u, err := svc.CheckLocalPassword(ctx, email, password)
		if err != nil {
			t.Fatalf("%s cannot sign in with %q: %v", email, password, err)
		}
		return u
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errOut := cliIn(t, stdin, args...)
		if code != 0 {
			t.Fatalf("downlink %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}

	// The first admin, as an operator would make one instead of the setup page.
	out := mustRun("first admin pass\n", "user", "create", "--email", "Ada@Example.com", "--name", "Ada L", "--admin", "--password-stdin")
	if !strings.Contains(out, "Created admin ada@example.com") {
		t.Fatalf("create printed %q", out)
	}
	if strings.Contains(out, "first admin pass") {
		t.Fatal("the password was printed")
	}
	ada := canSignIn("ada@example.com", "first admin pass")
	if ada.Role != authz.RoleAdmin || ada.Name != "Ada L" || ada.AuthSource != users.SourceLocal {
		t.Fatalf("created %+v", ada)
	}

	// A user, with configuration flags mixed in and the bool flag first.
	mustRun("bob's password", append([]string{"user", "create", "--password-stdin", "--email=bob@example.com"}, dbFlags...)...)
	bob := canSignIn("bob@example.com", "bob's password")
	if bob.Role != authz.RoleUser || bob.Name != "bob" {
		t.Fatalf("created %+v", bob)
	}

	// set-password replaces the password and ends the sessions.
	addSession(t, st, bob)
	addSession(t, st, bob)
	addSession(t, st, ada)
	out = mustRun("a new one for bob\r\n", "user", "set-password", "--email", "BOB@example.com", "--password-stdin")
	if !strings.Contains(out, "ended 2 session(s)") {
		t.Fatalf("set-password printed %q", out)
	}
	canSignIn("bob@example.com", "a new one for bob")
	if _, err := svc.CheckLocalPassword(ctx, "bob@example.com", "bob's password"); !errors.Is(err, users.ErrInvalidCredentials) {
		t.Fatalf("the old password still works: %v", err)
	}
	if countSessions(t, st, bob) != 0 || countSessions(t, st, ada) != 1 {
		t.Fatal("set-password ended the wrong sessions")
	}

	// set-role promotes and demotes, never the last admin.
	if out := mustRun("", "user", "set-role", "--email", "bob@example.com", "--role", "admin"); !strings.Contains(out, "now admin") {
		t.Fatalf("set-role printed %q", out)
	}
	if out := mustRun("", "user", "set-role", "--email", "bob@example.com", "--role", "admin"); !strings.Contains(out, "already admin") {
		t.Fatalf("set-role again printed %q", out)
	}
	mustRun("", "user", "set-role", "--email", "ada@example.com", "--role", "user")
	code, _, errOut := cliIn(t, "", "user", "set-role", "--email", "bob@example.com", "--role", "user")
	if code != 1 || !strings.Contains(errOut, "Last admin") {
		t.Fatalf("demoting the last admin: exit %d, %s", code, errOut)
	}
	if u := canSignIn("bob@example.com", "a new one for bob"); u.Role != authz.RoleAdmin {
		t.Fatalf("bob is %s", u.Role)
	}
	if u := canSignIn("ada@example.com", "first admin pass"); u.Role != authz.RoleUser {
		t.Fatalf("ada is %s", u.Role)
	}
}

// TestUserCommandErrors: mistakes exit non-zero, say what is wrong, and
// change nothing.
func TestUserCommandErrors(t *testing.T) {
	cliDatabase(t)
	st := openTestStore(t)
	ctx := context.Background()
	svc := users.New(st.DB)
	if _, err := svc.CreateLocal(ctx, users.NewLocal{Email: "taken@example.com", Role: authz.RoleAdmin, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SignInOIDC(ctx, users.Identity{Issuer: "https://id.example", Subject: "7", Email: "sso@example.com", EmailVerified: true}, users.SignupRules{Open: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		says  string
	}{
		{"no subcommand", "", []string{"user"}, "subcommand"},
		{"unknown subcommand", "", []string{"user", "delete"}, "unknown subcommand"},
		{"no --password-stdin", "long enough pass", []string{"user", "create", "--email", "a@example.com"}, "--password-stdin is required"},
		{"password on the command line", "", []string{"user", "create", "--email", "a@example.com", "--password", "hunter22"}, "--password-stdin is required"},
		{"nothing on stdin", "", []string{"user", "create", "--email", "a@example.com", "--password-stdin"}, "no password"},
		{"just a newline on stdin", "\n", []string{"user", "create", "--email", "a@example.com", "--password-stdin"}, "no password"},
		{"short password", "short\n", []string{"user", "create", "--email", "a@example.com", "--password-stdin"}, "at least 8"},
		{"huge password", strings.Repeat("x", 300), []string{"user", "create", "--email", "a@example.com", "--password-stdin"}, "at most 256"},
		{"no e-mail", "long enough pass", []string{"user", "create", "--password-stdin"}, "--email is required"},
		{"bad e-mail", "long enough pass", []string{"user", "create", "--email", "not-an-email", "--password-stdin"}, "e-mail address"},
		{"e-mail taken", "long enough pass", []string{"user", "create", "--email", "TAKEN@example.com", "--password-stdin"}, "already used"},
		{"set-password, unknown user", "long enough pass", []string{"user", "set-password", "--email", "nobody@example.com", "--password-stdin"}, "no user"},
		{"set-password, OIDC user", "long enough pass", []string{"user", "set-password", "--email", "sso@example.com", "--password-stdin"}, "identity provider"},
		{"set-role, bad role", "", []string{"user", "set-role", "--email", "taken@example.com", "--role", "root"}, "admin or user"},
		{"set-role, no e-mail", "", []string{"user", "set-role", "--role", "user"}, "--email is required"},
		{"set-role, last admin", "", []string{"user", "set-role", "--email", "taken@example.com", "--role", "user"}, "Last admin"},
		{"stray argument", "", []string{"user", "set-role", "--email", "taken@example.com", "--role", "user", "now"}, "now"},
		{"bad config flag", "", []string{"user", "set-role", "--email", "taken@example.com", "--role", "admin", "--log-level", "loud"}, "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cliIn(t, tt.stdin, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.says) {
				t.Fatalf("exit %d, want 1; stderr should say %q\nstdout: %s\nstderr: %s", code, tt.says, out, errOut)
			}
			if strings.Contains(out+errOut, "hunter22") || strings.Contains(out+errOut, "long enough pass") {
				t.Fatal("a password was printed")
			}
		})
	}
	var n int64
	if err := st.DB.Table("users").Count(&n).Error; err != nil || n != 2 {
		t.Fatalf("%d users after only mistakes (%v)", n, err)
	}
	if u, err := svc.GetByEmail(ctx, "taken@example.com"); err != nil || u.Role != authz.RoleAdmin {
		t.Fatalf("the admin changed: %+v, %v", u, err)
	}
	if code, out, _ := cliIn(t, "", "user", "--help"); code != 0 || !strings.Contains(out, "user set-password") {
		t.Fatalf("user --help: exit %d: %s", code, out)
	}
}

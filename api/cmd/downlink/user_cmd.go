package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/users"
)

const userUsage = `Usage:
  downlink user create --email EMAIL [--name NAME] [--admin] --password-stdin
  downlink user set-password --email EMAIL --password-stdin
  downlink user set-role --email EMAIL --role admin|user

Local accounts, straight on the database (the server may be running).
Passwords are read from standard input, never from the command line:
  echo "$PASSWORD" | downlink user create --email ada@example.com --admin --password-stdin
set-password also signs the user out everywhere; set-role refuses to demote
the last admin. Every serve flag (--data-dir, --database-url, …) and
DOWNLINK_* variable chooses the database.
`

// userSubs are the subcommands: their flags and what they do.
var userSubs = map[string]struct {
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, ua *userAdmin, fs *flag.FlagSet, io stdio) error
}{
	"create":       {userCreateFlags, userCreate},
	"set-password": {userSetPasswordFlags, userSetPassword},
	"set-role":     {userSetRoleFlags, userSetRole},
}

// userCmd is `downlink user create|set-password|set-role`.
func userCmd(ctx context.Context, args []string, io stdio) error {
	flagsOf := map[string]func(*flag.FlagSet){}
	for n, sub := range userSubs {
		flagsOf[n] = sub.flags
	}
	name, fs, rest, err := subcommand("user", userUsage, flagsOf, args, io)
	if err != nil {
		return err
	}
	sub := userSubs[name]
	// Read the password before touching the database, so a mistake in
	// how it is passed costs nothing.
	var password string
	if f := fs.Lookup("password-stdin"); f != nil {
		if f.Value.String() != "true" {
			return errors.New("--password-stdin is required: pipe the password in (it never goes on the command line)")
		}
		var err error
		if password, err = readPassword(io.in); err != nil {
			return err
		}
	}
	ua, err := openUserAdmin(ctx, "user "+name, rest, io)
	if err != nil {
		return err
	}
	defer ua.close()
	ua.password = password
	return keyExplain(sub.run(ctx, ua, fs, io))
}

// maxPasswordInput bounds what is read from stdin (the API takes 256).
const maxPasswordInput = 1024

// readPassword reads the password from stdin: everything up to EOF, less
// one trailing line break (what echo adds).
func readPassword(in io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(in, maxPasswordInput+1))
	if err != nil {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	if len(b) > maxPasswordInput {
		return "", errors.New("the password on stdin is too long")
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return "", errors.New("no password on stdin")
	}
	if len(b) > 256 {
		return "", errors.New("the password must be at most 256 characters")
	}
	return string(b), nil
}

// userAdmin is what the subcommands work with.
type userAdmin struct {
	store    *store.Store
	users    *users.Service
	password string
}

func openUserAdmin(ctx context.Context, name string, args []string, io stdio) (*userAdmin, error) {
	cfg, err := loadConfig(name, args, io)
	if err != nil {
		return nil, err
	}
	log := app.NewLogger(cfg, io.err)
	db, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, db, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, log); err != nil {
		_ = st.Close()
		return nil, err
	}
	return &userAdmin{store: st, users: users.New(st.DB)}, nil
}

func (ua *userAdmin) close() { _ = ua.store.Close() }

func (ua *userAdmin) byEmail(ctx context.Context, fs *flag.FlagSet) (users.User, error) {
	email := keyFlagString(fs, "email")
	if email == "" {
		return users.User{}, errors.New("--email is required")
	}
	u, err := ua.users.GetByEmail(ctx, email)
	if errors.Is(err, users.ErrNotFound) {
		return u, fmt.Errorf("no user with e-mail %s", email)
	}
	return u, err
}

func userCreateFlags(fs *flag.FlagSet) {
	fs.String("email", "", "the account's e-mail (required)")
	fs.String("name", "", "display name (default: the part of the e-mail before @)")
	fs.Bool("admin", false, "make the account an admin")
	fs.Bool("password-stdin", false, "read the password from standard input (required)")
}

func userCreate(ctx context.Context, ua *userAdmin, fs *flag.FlagSet, io stdio) error {
	email := keyFlagString(fs, "email")
	if email == "" {
		return errors.New("--email is required")
	}
	role := authz.RoleUser
	if fs.Lookup("admin").Value.String() == "true" {
		role = authz.RoleAdmin
	}
	u, err := ua.users.CreateLocal(ctx, users.NewLocal{Email: email, Name: keyFlagString(fs, "name"), Role: role, Password: ua.password})
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Created %s %s (%s, id %s). They can sign in now.\n", u.Role, u.Email, u.Name, u.ID)
	return nil
}

func userSetPasswordFlags(fs *flag.FlagSet) {
	fs.String("email", "", "the account's e-mail (required)")
	fs.Bool("password-stdin", false, "read the new password from standard input (required)")
}

func userSetPassword(ctx context.Context, ua *userAdmin, fs *flag.FlagSet, io stdio) error {
	u, err := ua.byEmail(ctx, fs)
	if err != nil {
		return err
	}
	if err := ua.users.SetPassword(ctx, u.ID, ua.password); err != nil {
		return err
	}
	n, err := auth.EndUserSessions(ctx, ua.store.DB, u.ID)
	if err != nil {
		return fmt.Errorf("the password is changed, but signing %s out failed: %w", u.Email, err)
	}
	fmt.Fprintf(io.out, "Changed the password of %s and ended %d session(s).\n", u.Email, n)
	return nil
}

func userSetRoleFlags(fs *flag.FlagSet) {
	fs.String("email", "", "the account's e-mail (required)")
	fs.String("role", "", "admin or user (required)")
}

func userSetRole(ctx context.Context, ua *userAdmin, fs *flag.FlagSet, io stdio) error {
	role := authz.Role(keyFlagString(fs, "role"))
	if !role.Valid() {
		return errors.New("--role must be admin or user")
	}
	u, err := ua.byEmail(ctx, fs)
	if err != nil {
		return err
	}
	before, after, err := ua.users.Update(ctx, u.ID, users.Change{Role: &role})
	if err != nil {
		return err
	}
	if before.Role == after.Role {
		fmt.Fprintf(io.out, "%s is already %s.\n", after.Email, after.Role)
		return nil
	}
	fmt.Fprintf(io.out, "%s is now %s (was %s).\n", after.Email, after.Role, before.Role)
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/users"
)

const apikeyUsage = `Usage:
  downlink apikey create --user EMAIL --name NAME --scopes SCOPE,… [--expires 30d|720h|never] [--rate-limit N] [--daily-quota N]
  downlink apikey list [--user EMAIL]
  downlink apikey revoke --id ID

Scopes: downloads:read, downloads:write, files:read, files:write, and for
admins' keys admin:read, admin:write. The key is printed once, at creation.
Every serve flag (--data-dir, --database-url, …) and DOWNLINK_* variable
chooses the database.
`

// apikeySubs are the subcommands: the flags each declares and what it
// does with them.
var apikeySubs = map[string]struct {
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, ka *keyAdmin, fs *flag.FlagSet, io stdio) error
}{
	"create": {apikeyCreateFlags, apikeyCreate},
	"list":   {apikeyListFlags, apikeyList},
	"revoke": {apikeyRevokeFlags, apikeyRevoke},
}

// apikeyCmd is `downlink apikey create|list|revoke`: key administration
// from the server's console, straight on the database.
func apikeyCmd(ctx context.Context, args []string, io stdio) error {
	flagsOf := map[string]func(*flag.FlagSet){}
	for n, sub := range apikeySubs {
		flagsOf[n] = sub.flags
	}
	name, fs, rest, err := subcommand("apikey", apikeyUsage, flagsOf, args, io)
	if err != nil {
		return err
	}
	sub := apikeySubs[name]
	ka, err := openKeyAdmin(ctx, "apikey "+name, rest, io)
	if err != nil {
		return err
	}
	defer ka.close()
	return keyExplain(sub.run(ctx, ka, fs, io))
}

// keyAdmin is what the subcommands work with.
type keyAdmin struct {
	store *store.Store
	users *users.Service
	keys  *apikeys.Service
}

// operator is who the console acts as: it may see and revoke any key.
var operator = &authz.Principal{Role: authz.RoleAdmin, Method: authz.MethodSession, Name: "downlink apikey (console)"}

func openKeyAdmin(ctx context.Context, name string, args []string, io stdio) (*keyAdmin, error) {
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
	return &keyAdmin{store: st, users: users.New(st.DB), keys: apikeys.New(st.DB, log, nil)}, nil
}

func (ka *keyAdmin) close() { _ = ka.store.Close() }

func (ka *keyAdmin) userByEmail(ctx context.Context, email string) (users.User, error) {
	u, err := ka.users.GetByEmail(ctx, email)
	if errors.Is(err, users.ErrNotFound) {
		return u, fmt.Errorf("no user with e-mail %s", email)
	}
	return u, err
}

func apikeyCreateFlags(fs *flag.FlagSet) {
	fs.String("user", "", "e-mail of the key's owner (required)")
	fs.String("name", "", "what the key is for (required)")
	fs.String("scopes", "", "comma-separated scopes (required)")
	fs.String("expires", "", "lifetime: 30d, 720h, or never (default: the configured default)")
	fs.Int("rate-limit", 0, "requests per minute (default 60)")
	fs.Int("daily-quota", 0, "downloads per UTC day (default: no quota)")
}

func apikeyCreate(ctx context.Context, ka *keyAdmin, fs *flag.FlagSet, io stdio) error {
	email, name := keyFlagString(fs, "user"), keyFlagString(fs, "name")
	if email == "" || name == "" || keyFlagString(fs, "scopes") == "" {
		return errors.New("--user, --name and --scopes are required")
	}
	owner, err := ka.userByEmail(ctx, email)
	if err != nil {
		return err
	}
	if owner.Disabled {
		return fmt.Errorf("user %s is disabled: their keys would not work", owner.Email)
	}
	sp := apikeys.Spec{Name: name}
	for _, s := range strings.Split(keyFlagString(fs, "scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			sp.Scopes = append(sp.Scopes, authz.Scope(s))
		}
	}
	if v := keyFlagString(fs, "expires"); v != "" {
		sp.ExpiresSet = true
		if v != "never" {
			d, err := keyLifetime(v)
			if err != nil {
				return err
			}
			at := time.Now().UTC().Add(d)
			sp.ExpiresAt = &at
		}
	}
	if n := keyFlagInt(fs, "rate-limit"); n != 0 {
		if n < 1 || n > 100000 {
			return errors.New("--rate-limit must be 1 to 100000")
		}
		sp.RateLimitPerMinute = n
	}
	if n := keyFlagInt(fs, "daily-quota"); n != 0 {
		if n < 1 {
			return errors.New("--daily-quota must be at least 1")
		}
		sp.DailyDownloadQuota = &n
	}
	p := &authz.Principal{UserID: owner.ID, Email: owner.Email, Name: owner.Name, Role: owner.Role, Method: authz.MethodSession}
	k, err := ka.keys.Create(ctx, p, sp)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Created API key %q for %s.\n\n", k.Name, owner.Email)
	fmt.Fprintf(io.out, "id:       %s\n", k.ID)
	fmt.Fprintf(io.out, "key:      %s\n", k.Key)
	fmt.Fprintf(io.out, "scopes:   %s\n", keyScopesText(k.Scopes))
	fmt.Fprintf(io.out, "expires:  %s\n", keyTime(k.ExpiresAt, "never"))
	fmt.Fprintf(io.out, "\nCopy the key now: it is shown only this once and cannot be recovered.\n")
	return nil
}

func apikeyListFlags(fs *flag.FlagSet) {
	fs.String("user", "", "only this user's keys (default: everyone's)")
}

func apikeyList(ctx context.Context, ka *keyAdmin, fs *flag.FlagSet, io stdio) error {
	params := apikeys.ListParams{All: true, Limit: 200}
	if email := keyFlagString(fs, "user"); email != "" {
		u, err := ka.userByEmail(ctx, email)
		if err != nil {
			return err
		}
		params = apikeys.ListParams{UserID: &u.ID, Limit: 200}
	}
	owners := map[uuid.UUID]string{}
	tw := tabwriter.NewWriter(io.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOWNER\tNAME\tSCOPES\tLAST EIGHT\tSTATUS\tLAST USED")
	for {
		page, err := ka.keys.List(ctx, operator, params)
		if err != nil {
			return err
		}
		for _, k := range page.Items {
			if _, ok := owners[k.UserID]; !ok {
				owners[k.UserID] = k.UserID.String()
				if u, err := ka.users.Get(ctx, k.UserID); err == nil {
					owners[k.UserID] = u.Email
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, owners[k.UserID], keyOneLine(k.Name),
				keyScopesText(k.Scopes), k.LastEight, k.Status, keyTime(k.LastUsedAt, "never"))
		}
		if page.NextCursor == nil {
			break
		}
		params.Cursor = *page.NextCursor
	}
	return tw.Flush()
}

func apikeyRevokeFlags(fs *flag.FlagSet) {
	fs.String("id", "", "the key's id, as `apikey list` shows it (required)")
}

func apikeyRevoke(ctx context.Context, ka *keyAdmin, fs *flag.FlagSet, io stdio) error {
	id, err := uuid.Parse(keyFlagString(fs, "id"))
	if err != nil {
		return errors.New("--id must be a key id (a UUID)")
	}
	k, err := ka.keys.Get(ctx, operator, id)
	if err != nil {
		return err
	}
	if k.RevokedAt != nil {
		fmt.Fprintf(io.out, "API key %s (%q, …%s) was already revoked at %s.\n", k.ID, k.Name, k.LastEight, keyTime(k.RevokedAt, ""))
		return nil
	}
	if err := ka.keys.Revoke(ctx, operator, id); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Revoked API key %s (%q, …%s). It stops working at once.\n", k.ID, k.Name, k.LastEight)
	return nil
}

// keyLifetime reads a Go duration ("720h") or a number of days ("30d").
func keyLifetime(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("--expires %q: want days like 30d, a duration like 720h, or never", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("--expires %q: want days like 30d, a duration like 720h, or never", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("--expires %q: must be in the future", s)
	}
	return d, nil
}

// keyExplain turns a problem into a line for a person at a console.
func keyExplain(err error) error {
	var p *problem.Problem
	if err == nil || !errors.As(err, &p) {
		return err
	}
	msg := p.Title
	if p.Detail != "" {
		msg += ": " + p.Detail
	}
	for _, fe := range p.Errors {
		msg += fmt.Sprintf("; %s %s", fe.Field, fe.Message)
	}
	return errors.New(msg)
}

func keyFlagString(fs *flag.FlagSet, name string) string {
	return strings.TrimSpace(fs.Lookup(name).Value.String())
}

func keyFlagInt(fs *flag.FlagSet, name string) int {
	return fs.Lookup(name).Value.(flag.Getter).Get().(int)
}

func keyScopesText(scopes []authz.Scope) string {
	ss := make([]string, len(scopes))
	for i, s := range scopes {
		ss[i] = string(s)
	}
	return strings.Join(ss, ",")
}

func keyTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

// keyOneLine keeps a name from breaking the table.
func keyOneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

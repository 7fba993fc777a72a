package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/subscriptions"
)

const subscriptionUsage = `Usage:
  downlink subscription list [--user EMAIL]
  downlink subscription add --user EMAIL --url URL [--name NAME] [--every HOURS] [--backfill none|all|last:N] [--disabled]
  downlink subscription check --id ID
  downlink subscription rm --id ID

add checks the URL as the API does (the platform's and the generic sites'
settings apply) and queues the first check; check queues a check now. The
server's workers run checks: a console command only queues them. Every
serve flag (--data-dir, --database-url, …) and DOWNLINK_* variable chooses
the database.
`

// subscriptionSubs are the subcommands: the flags each declares and what
// it does with them.
var subscriptionSubs = map[string]struct {
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, a *app.App, fs *flag.FlagSet, io stdio) error
}{
	"list":  {subscriptionListFlags, subscriptionList},
	"add":   {subscriptionAddFlags, subscriptionAdd},
	"check": {subscriptionIDFlags, subscriptionCheck},
	"rm":    {subscriptionIDFlags, subscriptionRm},
}

// subscriptionOperator is who the console acts as: it may see and change
// anyone's subscriptions.
var subscriptionOperator = &authz.Principal{Role: authz.RoleAdmin, Method: authz.MethodSession, Name: "downlink subscription (console)"}

// subscriptionCmd is `downlink subscription list|add|check|rm`: the
// subscriptions of every user, from the server's console, through the
// same service (and checks) as the API.
func subscriptionCmd(ctx context.Context, args []string, io stdio) error {
	flagsOf := map[string]func(*flag.FlagSet){}
	for n, sub := range subscriptionSubs {
		flagsOf[n] = sub.flags
	}
	name, fs, rest, err := subcommand("subscription", subscriptionUsage, flagsOf, args, io)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("subscription "+name, rest, io)
	if err != nil {
		return err
	}
	// The application as built for a worker, never started: its services
	// insert jobs for the running server's workers.
	a, err := app.New(ctx, cfg, app.NewLogger(cfg, io.err), app.RoleWorker)
	if err != nil {
		return err
	}
	defer a.Store.Close()
	return keyExplain(subscriptionSubs[name].run(ctx, a, fs, io))
}

func subscriptionListFlags(fs *flag.FlagSet) {
	fs.String("user", "", "only this user's subscriptions (default: everyone's)")
}

func subscriptionList(ctx context.Context, a *app.App, fs *flag.FlagSet, io stdio) error {
	var only *uuid.UUID
	if email := keyFlagString(fs, "user"); email != "" {
		u, err := a.Users.GetByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("no user with e-mail %s", email)
		}
		only = &u.ID
	}
	subs, err := a.Subscriptions.List(ctx, subscriptionOperator)
	if err != nil {
		return err
	}
	owners := map[uuid.UUID]string{}
	tw := tabwriter.NewWriter(io.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOWNER\tNAME\tURL\tEVERY\tSTATUS\tLAST CHECK\tNEXT CHECK\tNEW")
	for _, s := range subs {
		if only != nil && s.UserID != *only {
			continue
		}
		if _, ok := owners[s.UserID]; !ok {
			owners[s.UserID] = s.UserID.String()
			if u, err := a.Users.Get(ctx, s.UserID); err == nil {
				owners[s.UserID] = u.Email
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dh\t%s\t%s\t%s\t%d\n", s.ID, owners[s.UserID], keyOneLine(s.Name), keyOneLine(s.URL),
			s.IntervalHours, s.Status, keyTime(s.LastCheckAt, "never"), keyTime(s.NextCheckAt, "-"), s.LastNewItems)
	}
	return tw.Flush()
}

func subscriptionAddFlags(fs *flag.FlagSet) {
	fs.String("user", "", "e-mail of the subscription's owner (required)")
	fs.String("url", "", "the channel, playlist or feed (required)")
	fs.String("name", "", "what to call it (default: the source's title)")
	fs.Int("every", 0, fmt.Sprintf("hours between checks (default %d)", subscriptions.DefaultIntervalHours))
	fs.String("backfill", "none", "what the first check downloads: none, all, or last:N")
	fs.Bool("disabled", false, "create it paused")
}

func subscriptionAdd(ctx context.Context, a *app.App, fs *flag.FlagSet, io stdio) error {
	email, url := keyFlagString(fs, "user"), keyFlagString(fs, "url")
	if email == "" || url == "" {
		return errors.New("--user and --url are required")
	}
	u, err := a.Users.GetByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("no user with e-mail %s", email)
	}
	in := subscriptions.Input{URL: &url}
	if n := keyFlagString(fs, "name"); n != "" {
		in.Name = &n
	}
	if h := keyFlagInt(fs, "every"); h != 0 {
		in.IntervalHours = &h
	}
	bf := subscriptions.Backfill{Mode: keyFlagString(fs, "backfill")}
	if _, err := fmt.Sscanf(bf.Mode, "last:%d", &bf.Count); err == nil {
		bf.Mode = subscriptions.BackfillLast
	}
	in.Backfill = &bf
	if fs.Lookup("disabled").Value.(flag.Getter).Get().(bool) {
		off := false
		in.Enabled = &off
	}
	owner := &authz.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Method: authz.MethodSession}
	s, err := a.Subscriptions.Create(ctx, owner, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Subscribed %s to %s (%s).\n\n", u.Email, s.URL, s.Platform)
	fmt.Fprintf(io.out, "id:        %s\n", s.ID)
	fmt.Fprintf(io.out, "every:     %dh\n", s.IntervalHours)
	fmt.Fprintf(io.out, "backfill:  %s\n", subscriptionBackfillText(s.Backfill))
	if s.Enabled {
		fmt.Fprintf(io.out, "\nThe first check is queued; the server's workers run it.\n")
	} else {
		fmt.Fprintf(io.out, "\nPaused: nothing is checked until it is enabled or checked by hand.\n")
	}
	return nil
}

func subscriptionBackfillText(b subscriptions.Backfill) string {
	if b.Mode == subscriptions.BackfillLast {
		return fmt.Sprintf("the last %d items", b.Count)
	}
	return b.Mode
}

func subscriptionIDFlags(fs *flag.FlagSet) {
	fs.String("id", "", "the subscription's id, as `subscription list` shows it (required)")
}

func subscriptionID(fs *flag.FlagSet) (uuid.UUID, error) {
	id, err := uuid.Parse(keyFlagString(fs, "id"))
	if err != nil {
		return uuid.Nil, errors.New("--id must be a subscription id (a UUID)")
	}
	return id, nil
}

func subscriptionCheck(ctx context.Context, a *app.App, fs *flag.FlagSet, io stdio) error {
	id, err := subscriptionID(fs)
	if err != nil {
		return err
	}
	s, err := a.Subscriptions.CheckNow(ctx, subscriptionOperator, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Queued a check of %s (%s); the server's workers run it. Last check: %s.\n", s.ID, s.URL, keyTime(s.LastCheckAt, "never"))
	return nil
}

func subscriptionRm(ctx context.Context, a *app.App, fs *flag.FlagSet, io stdio) error {
	id, err := subscriptionID(fs)
	if err != nil {
		return err
	}
	s, err := a.Subscriptions.Get(ctx, subscriptionOperator, id)
	if err != nil {
		return err
	}
	if err := a.Subscriptions.Delete(ctx, subscriptionOperator, id); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "Removed subscription %s (%s). Its downloads and files stay.\n", s.ID, s.URL)
	return nil
}

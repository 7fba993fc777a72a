// Command downlink is Downlink's one binary: the HTTP API with the
// dashboard and download workers (serve, the default), workers alone
// (worker), schema migrations (migrate), account and key administration
// (user, apikey), the managed yt-dlp (ytdlp) and version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/downlink/downlink/api/internal/proc"
)

func main() {
	proc.RunGuardIfRequested() // first: as the yt-dlp process guard, this process does nothing else
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio) error
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP API, the dashboard and download workers (default)", serveCmd},
		{"worker", "run download workers only, with a small health listener", workerCmd},
		{"migrate", "bring the database schema up to date and exit", migrateCmd},
		{"user", "create local accounts, set their passwords and roles", userCmd},
		{"apikey", "create, list and revoke API keys (create prints the key once)", apikeyCmd},
		{"subscription", "list, add, check and remove subscriptions (any user's)", subscriptionCmd},
		{"ytdlp", "this node's yt-dlp: status, check, update, rollback, install from files", ytdlpCmd},
		{"version", "print the version", versionCmd},
	}
}

func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(out)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args, stdio{in, out, errOut})
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		default:
			fmt.Fprintf(errOut, "downlink %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(errOut, "downlink: unknown command %q\n\n", name)
	usage(errOut)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: downlink <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every flag has a DOWNLINK_* environment variable; see `downlink serve -h`.")
}

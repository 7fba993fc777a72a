package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

const ytdlpUsage = `Usage:
  downlink ytdlp status
  downlink ytdlp check
  downlink ytdlp update [--version VERSION]
  downlink ytdlp rollback
  downlink ytdlp install --file yt-dlp_linux --sums SHA2-256SUMS --sig SHA2-256SUMS.sig

Manage this node's yt-dlp: the one Downlink installed (verified against
yt-dlp's signing key, switched atomically, the previous one kept for a
rollback), or the system one. The commands act on this node
(DOWNLINK_NODE_NAME) and its data dir, also while the server runs, and are
audited like the dashboard's. To update every node of a cluster, use the
System page or POST /api/v1/system/ytdlp/update. Every serve flag
(--data-dir, --database-url, --node-name, …) and DOWNLINK_* variable
chooses the node.
`

// ytdlpSubs are the subcommands.
var ytdlpSubs = map[string]struct {
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, svc *app.YtdlpConsole, fs *flag.FlagSet, io stdio) error
}{
	"status":   {noFlags, ytdlpStatus},
	"check":    {noFlags, ytdlpCheck},
	"update":   {ytdlpUpdateFlags, ytdlpUpdate},
	"rollback": {noFlags, ytdlpRollback},
	"install":  {ytdlpInstallFlags, ytdlpInstall},
}

func noFlags(*flag.FlagSet) {}

func ytdlpUpdateFlags(fs *flag.FlagSet) {
	fs.String("version", "", "release to install (default: the newest of the channel)")
}

// ytdlpCmd is `downlink ytdlp status|check|update|rollback|install`.
func ytdlpCmd(ctx context.Context, args []string, io stdio) error {
	flagsOf := map[string]func(*flag.FlagSet){}
	for n, sub := range ytdlpSubs {
		flagsOf[n] = sub.flags
	}
	name, fs, rest, err := subcommand("ytdlp", ytdlpUsage, flagsOf, args, io)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("ytdlp "+name, rest, io)
	if err != nil {
		return err
	}
	svc, err := app.OpenYtdlpConsole(ctx, cfg, app.NewLogger(cfg, io.err))
	if err != nil {
		return err
	}
	defer svc.Close()
	return ytdlpSubs[name].run(ctx, svc, fs, io)
}

func ytdlpStatus(ctx context.Context, svc *app.YtdlpConsole, _ *flag.FlagSet, io stdio) error {
	st, err := svc.Status(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "setting:\t%s, %s channel\n", st.Settings.Mode, st.Settings.Channel)
	for _, n := range st.Nodes {
		here := ""
		if n.Node == svc.NodeName() {
			here = " (this node)"
		}
		fmt.Fprintf(w, "\nnode:\t%s%s\n", n.Node, here)
		fmt.Fprintf(w, "active:\t%s\n", toolLine(n.Active))
		if n.Active.Path != "" {
			fmt.Fprintf(w, "\t%s\n", n.Active.Path)
		}
		if n.Previous != nil {
			fmt.Fprintf(w, "previous:\t%s\n", toolLine(*n.Previous))
		}
		if l := n.Latest; l != nil {
			line := fmt.Sprintf("%s (%s, checked %s)", deref(l.Version, "none found"), l.Channel, l.CheckedAt.Format(time.RFC3339))
			if l.Error != nil {
				line += ": " + *l.Error
			}
			if n.UpdateAvailable {
				line += " — update available"
			}
			fmt.Fprintf(w, "latest:\t%s\n", line)
		}
		if op := n.Operation; op != nil {
			fmt.Fprintf(w, "last %s:\t%s: %s\n", op.Action, op.Status, op.Message)
		}
	}
	if st.VersionsDiffer {
		fmt.Fprintln(w, "\nwarning:\tthe nodes run different yt-dlp versions")
	}
	return w.Flush()
}

func toolLine(t managed.Tool) string {
	s := deref(t.Version, "unknown version") + " (" + string(t.Source)
	if t.AgeDays != nil {
		s += fmt.Sprintf(", %d days old", *t.AgeDays)
	}
	s += ")"
	if t.Error != nil {
		s += ": " + *t.Error
	}
	return s
}

func deref(p *string, none string) string {
	if p == nil {
		return none
	}
	return *p
}

func ytdlpCheck(ctx context.Context, svc *app.YtdlpConsole, _ *flag.FlagSet, io stdio) error {
	n, err := svc.Check(ctx, managed.Op{Actor: managed.ActorConsole})
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, n.Operation.Message)
	if n.UpdateAvailable {
		fmt.Fprintln(io.out, "an update is available: downlink ytdlp update")
	}
	return nil
}

func ytdlpUpdate(ctx context.Context, svc *app.YtdlpConsole, fs *flag.FlagSet, io stdio) error {
	version := fs.Lookup("version").Value.String()
	n, err := svc.Update(ctx, managed.Op{Actor: managed.ActorConsole, Watch: printProgress(io.err)}, version)
	return printOutcome(io, n, err)
}

func ytdlpRollback(ctx context.Context, svc *app.YtdlpConsole, _ *flag.FlagSet, io stdio) error {
	n, err := svc.Rollback(ctx, managed.Op{Actor: managed.ActorConsole, Watch: printProgress(io.err)}, managed.Expect{})
	return printOutcome(io, n, err)
}

func ytdlpInstallFlags(fs *flag.FlagSet) {
	fs.String("file", "", "the release's build for this machine: yt-dlp_linux or yt-dlp_linux_aarch64 (required)")
	fs.String("sums", "", "the release's SHA2-256SUMS (required)")
	fs.String("sig", "", "the release's SHA2-256SUMS.sig (required)")
}

func ytdlpInstall(ctx context.Context, svc *app.YtdlpConsole, fs *flag.FlagSet, io stdio) error {
	file, sumsPath, sigPath := fs.Lookup("file").Value.String(), fs.Lookup("sums").Value.String(), fs.Lookup("sig").Value.String()
	if file == "" || sumsPath == "" || sigPath == "" {
		return errors.New("--file, --sums and --sig are required")
	}
	sums, err := os.ReadFile(sumsPath)
	if err != nil {
		return err
	}
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := svc.Install(ctx, managed.Op{Actor: managed.ActorConsole, Watch: printProgress(io.err)}, managed.Files{Build: f, Sums: sums, Sig: sig})
	return printOutcome(io, n, err)
}

// printProgress prints each new phase (and the download's size once).
func printProgress(w io.Writer) func(managed.Progress) {
	var last managed.Phase
	return func(p managed.Progress) {
		if p.Phase == last {
			return
		}
		last = p.Phase
		line := string(p.Phase)
		if p.Phase == managed.PhaseDownloading && p.Total > 0 {
			line += fmt.Sprintf(" (%.1f MB)", float64(p.Total)/1e6)
		}
		fmt.Fprintln(w, line+"…")
	}
}

// printOutcome prints what an operation did; a refusal is the command's
// error (exit 1), its reason printed.
func printOutcome(io stdio, n managed.NodeState, err error) error {
	if err != nil {
		var r *managed.Refusal
		if errors.As(err, &r) {
			return fmt.Errorf("refused (%s): %s; nothing changed", r.Code, r.Message)
		}
		if n.Operation != nil && n.Operation.Message != "" {
			return errors.New(strings.TrimSuffix(n.Operation.Message, "."))
		}
		return err
	}
	fmt.Fprintln(io.out, n.Operation.Message)
	if n.Active.Path != "" {
		fmt.Fprintf(io.out, "active: %s\n", n.Active.Path)
	}
	return nil
}

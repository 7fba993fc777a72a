package managed_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

type fixedPolicy struct{ p managed.Policy }

func (f fixedPolicy) YtdlpPolicy(context.Context) managed.Policy { return f.p }

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T, srv *releasetest.Server, mode managed.Mode, now func() time.Time, sched managed.Schedule) *managed.Service {
	t.Helper()
	svc, err := managed.New(managed.Deps{
		DB: storetest.New(t).DB, Installer: newInstaller(t, t.TempDir(), srv, 0),
		Policy: fixedPolicy{managed.Policy{Mode: mode, Channel: managed.ChannelStable}},
		Nodes: func(context.Context) ([]managed.Node, error) {
			return []managed.Node{{Name: "n1", Alive: true}}, nil
		},
		NodeName: "n1", Logger: storetest.Logger(), Now: now, Schedule: sched,
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// releaseRequests counts the stand-in's release API calls.
func releaseRequests(srv *releasetest.Server) int {
	n := 0
	for _, p := range srv.Requests() {
		if strings.Contains(p, "/releases/latest") {
			n++
		}
	}
	return n
}

// TestDailyCheckByMode: off never asks; notify records the newest
// release (not as an operation); auto installs it. A check is due again a day later, not
// sooner.
func TestDailyCheckByMode(t *testing.T) {
	t.Parallel()
	key := releasetest.TestKey(t)
	for _, mode := range []managed.Mode{managed.ModeOff, managed.ModeNotify, managed.ModeAuto} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			srv := releasetest.NewServer(t)
			srv.Publish(releasetest.NewRelease(t, key, v1, nil))
			clk := &clock{now: time.Now()}
			svc := newService(t, srv, mode, clk.Now, managed.Schedule{})
			svc.CheckIfDue(ctx(t))
			st, err := svc.Status(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			n := st.Nodes[0]
			switch mode {
			case managed.ModeOff:
				if releaseRequests(srv) != 0 || n.Latest != nil {
					t.Fatalf("mode off asked for releases: %v, %+v", srv.Requests(), n.Latest)
				}
				return
			case managed.ModeNotify:
				if n.Latest == nil || *n.Latest.Version != v1 || !n.UpdateAvailable || n.Active.Source != managed.SourceSystem {
					t.Fatalf("notify after a check: %+v", n)
				}
				// The daily check leaves the last operation's outcome in view.
				if n.Operation != nil {
					t.Fatalf("the daily check was recorded as an operation: %+v", *n.Operation)
				}
			case managed.ModeAuto:
				if n.Active.Source != managed.SourceManaged || *n.Active.Version != v1 || n.Operation.Action != managed.ActionUpdate ||
					*n.Operation.RequestedBy != "schedule" {
					t.Fatalf("auto after a check: %+v %+v", n, n.Operation)
				}
			}
			asked := releaseRequests(srv)
			clk.add(23 * time.Hour)
			svc.CheckIfDue(ctx(t))
			if releaseRequests(srv) != asked {
				t.Fatal("checked again within a day")
			}
			clk.add(2 * time.Hour)
			svc.CheckIfDue(ctx(t))
			if releaseRequests(srv) != asked+1 {
				t.Fatal("no check a day after the last one")
			}
		})
	}
}

// TestRunChecksOnItsOwn: a started node checks by itself after
// Schedule.First.
func TestRunChecksOnItsOwn(t *testing.T) {
	t.Parallel()
	srv := releasetest.NewServer(t)
	srv.Publish(releasetest.NewRelease(t, releasetest.TestKey(t), v1, nil))
	svc := newService(t, srv, managed.ModeNotify, nil, managed.Schedule{First: time.Millisecond, Every: time.Hour})
	c, cancel := context.WithCancel(ctx(t))
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(c) }()
	defer func() { cancel(); <-done }()
	testkit.Eventually(t, time.Minute, func() error {
		n, err := svc.Node(ctx(t))
		if err == nil && n.Latest != nil && n.Latest.Version != nil && *n.Latest.Version == v1 {
			return nil
		}
		return fmt.Errorf("no check recorded: %+v %v", n, err)
	})
}

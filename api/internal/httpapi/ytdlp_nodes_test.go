package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// TestManagedYtdlpTwoNodes runs two nodes on one Postgres database, each
// with its own data dir: an update of one node makes the versions differ
// (readiness warns), an update from the dashboard reaches both through
// their job queues, and either node's System view shows both versions.
func TestManagedYtdlpTwoNodes(t *testing.T) {
	t.Parallel()
	if storetest.Kind() != config.Postgres {
		t.Skip("two nodes need a shared Postgres database; run with TEST_DB=postgres")
	}
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	srv.Publish(releasetest.NewRelease(t, key, ytdlpV1, nil))
	a := apitest.New(t, ytdlpReleases(t, srv, key), nodeName("node-a"))
	b := apitest.New(t, ytdlpReleases(t, srv, key), noWorkers(), nodeName("node-b"), apitest.WithDatabase(a.Database()))
	admin := newAccount(t, a, authz.RoleAdmin)
	ca, _ := signIn(t, a, admin)
	cb, _ := signIn(t, b, admin)
	both := func(s ytdlpStatus) bool { return s.node("node-a") != nil && s.node("node-b") != nil }
	waitYtdlp(t, a, ca, "listing both nodes", both)

	op, nodes := dispatchYtdlp(t, ca, "update", map[string]any{"node": "node-a"})
	if len(nodes) != 1 || nodes[0] != "node-a" {
		t.Fatalf("update of node-a sent to %v", nodes)
	}
	ytdlpOpDone(t, a, ca, "node-a", op, "succeeded")
	s := getYtdlp(t, cb)
	if !s.VersionsDiffer || s.node("node-a").Active.version() != ytdlpV1 || s.node("node-b").Active.Source != "system" {
		t.Fatalf("after updating node-a only, seen from node-b: %+v", s)
	}
	var ready struct {
		Warnings []string `json:"warnings"`
	}
	expectStatus(t, b.Client().Get("/readyz"), http.StatusOK).JSON(&ready)
	if !strings.Contains(strings.Join(ready.Warnings, "\n"), "different yt-dlp versions") {
		t.Fatalf("readiness of node-b while the nodes differ: %v", ready.Warnings)
	}

	op, nodes = dispatchYtdlp(t, ca, "update", nil)
	if len(nodes) != 2 {
		t.Fatalf("update sent to %v, want both nodes", nodes)
	}
	for _, n := range []string{"node-a", "node-b"} {
		ytdlpOpDone(t, a, ca, n, op, "succeeded")
	}
	for _, c := range []*apitest.Client{ca, cb} {
		s := getYtdlp(t, c)
		if s.VersionsDiffer || len(s.Nodes) != 2 {
			t.Fatalf("after the dashboard's update: %+v", s)
		}
		for _, n := range s.Nodes {
			if n.Active.Source != "managed" || n.Active.version() != ytdlpV1 || !n.Alive {
				t.Fatalf("node %s after the update: %+v", n.Node, n)
			}
		}
	}
	// Each node installed its own copy, in its own data dir.
	pa, pb := getYtdlp(t, ca).node("node-a").Active.Path, getYtdlp(t, ca).node("node-b").Active.Path
	if pa == pb || !strings.HasPrefix(pa, a.Cfg.DataDir) || !strings.HasPrefix(pb, b.Cfg.DataDir) {
		t.Fatalf("node paths %s and %s", pa, pb)
	}
	if runsAs(t, pa) != ytdlpV1 || runsAs(t, pb) != ytdlpV1 {
		t.Fatal("a node's copy does not answer the new version")
	}
}

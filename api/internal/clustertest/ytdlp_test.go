package clustertest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// ytdlpNode is one node on GET /system/ytdlp.
type ytdlpNode struct {
	Node   string `json:"node"`
	Alive  bool   `json:"alive"`
	Active struct {
		Version *string `json:"version"`
		Source  string  `json:"source"`
	} `json:"active"`
	Operation *struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"operation"`
}

// TestYtdlpUpdateReachesEveryProcess: `downlink serve` and `downlink
// worker` on one Postgres and one shared data dir, as docs/scaling.md
// allows. An update from the API reaches both processes through their own
// job queues; sharing the data dir they share one copy (one installs it,
// the other finds it active), and the System view shows both at the new
// version. A rollback sent to both rolls back once, not twice.
func TestYtdlpUpdateReachesEveryProcess(t *testing.T) {
	needBinary(t)
	if storetest.Kind() != config.Postgres {
		t.Skip("several processes share one database on Postgres only: run with TEST_DB=postgres TEST_DATABASE_URL=postgres://…")
	}
	const v1 = "2030.01.01"
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	srv.Publish(releasetest.NewRelease(t, key, v1, nil))
	c := clusterEnv{dataDir: t.TempDir(), dbURL: storetest.NewDatabase(t).DSN, extra: []string{
		"DOWNLINK_YTDLP_RELEASES_API=" + srv.URL, "DOWNLINK_YTDLP_RELEASES_DOWNLOAD=" + srv.URL,
		"DOWNLINK_YTDLP_SIGNING_KEY=" + key.WritePublic(t),
	}}
	c.run(t, "", "migrate")
	api := c.start(t, "serve", "api", "DOWNLINK_WORKERS=0")
	c.start(t, "worker", "worker-1", "DOWNLINK_WORKERS=1")
	c.run(t, "cluster-test-password\n", "user", "create", "--email", "admin@example.com", "--admin", "--password-stdin")
	out := c.run(t, "", "apikey", "create", "--user", "admin@example.com", "--name", "ytdlp",
		"--scopes", "admin:read,admin:write", "--expires", "never")
	var apiKey string
	for _, line := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(line, "key:"); ok {
			apiKey = strings.TrimSpace(k)
		}
	}
	cl := newClient(t, apiKey)
	nodes := func() map[string]ytdlpNode {
		var st struct {
			Nodes []ytdlpNode `json:"nodes"`
		}
		cl.do(http.MethodGet, api.url+"/api/v1/system/ytdlp", nil, &st, http.StatusOK)
		m := map[string]ytdlpNode{}
		for _, n := range st.Nodes {
			m[n.Node] = n
		}
		return m
	}
	waitFor(t, startTimeout, "both processes on the System view", func() bool {
		m := nodes()
		return m["api"].Alive && m["worker-1"].Alive
	})
	// done waits until op ended on both nodes and returns them.
	done := func(op string) map[string]ytdlpNode {
		var m map[string]ytdlpNode
		waitFor(t, 2*time.Minute, "operation "+op+" to end on both nodes", func() bool {
			m = nodes()
			for _, name := range []string{"api", "worker-1"} {
				o := m[name].Operation
				if o == nil || o.ID != op || o.Status == "queued" || o.Status == "running" {
					return false
				}
			}
			return true
		})
		for name, n := range m {
			if n.Operation.Status != "succeeded" {
				t.Fatalf("%s: %+v", name, *n.Operation)
			}
		}
		return m
	}
	var sent struct {
		OperationID string   `json:"operation_id"`
		Nodes       []string `json:"nodes"`
	}
	cl.do(http.MethodPost, api.url+"/api/v1/system/ytdlp/update", map[string]any{}, &sent, http.StatusAccepted)
	if len(sent.Nodes) != 2 {
		t.Fatalf("update sent to %v", sent.Nodes)
	}
	for name, n := range done(sent.OperationID) {
		if n.Active.Source != "managed" || n.Active.Version == nil || *n.Active.Version != v1 {
			t.Fatalf("%s after the update: %+v", name, n)
		}
	}

	cl.do(http.MethodPost, api.url+"/api/v1/system/ytdlp/rollback", map[string]any{}, &sent, http.StatusAccepted)
	if len(sent.Nodes) != 2 {
		t.Fatalf("rollback sent to %v", sent.Nodes)
	}
	changed := 0
	for name, n := range done(sent.OperationID) {
		if n.Active.Source != "system" {
			t.Fatalf("%s after the rollback: %+v (rolled back twice?)", name, n)
		}
		if strings.HasPrefix(n.Operation.Message, "rolled back") {
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("%d nodes rolled the shared copy back, want exactly one", changed)
	}
}

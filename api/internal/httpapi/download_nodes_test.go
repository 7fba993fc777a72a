package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

func nodeName(name string) apitest.Option {
	return apitest.WithConfig(func(c *config.Config) { c.NodeName = name })
}

// TestDownloadEventsCrossNodes runs two nodes on one Postgres database:
// node A downloads, node B (no workers) holds the SSE connection. Events
// published on A reach B's client through LISTEN/NOTIFY, and a download
// submitted on B is worked by A.
func TestDownloadEventsCrossNodes(t *testing.T) {
	t.Parallel()
	if storetest.Kind() != config.Postgres {
		t.Skip("events cross nodes through Postgres LISTEN/NOTIFY; run with TEST_DB=postgres")
	}
	a := apitest.New(t, localMedia(), nodeName("node-a"))
	b := apitest.New(t, localMedia(), noWorkers(), nodeName("node-b"), apitest.WithDatabase(a.Database()))
	user := newAccount(t, a, authz.RoleUser)
	ca, _ := signIn(t, a, user)
	cb, _ := signIn(t, b, user)
	srv := testmedia.NewServer(t)
	stream := openSSE(t, b.URL, cb, "")

	for _, submitter := range []struct {
		name string
		c    *apitest.Client
	}{{"submitted on the worker node", ca}, {"submitted on the node without workers", cb}} {
		t.Run(submitter.name, func(t *testing.T) {
			// About 3.2 MB at 1.5 MB/s: a couple of seconds of progress.
			// The same media each time, downloaded again on purpose.
			d := submit(t, submitter.c, map[string]any{"url": srv.SlowURL(testmedia.PathBig, 1_500_000), "allow_duplicate": true})
			id := d.ID.String()
			of := func(typ, status string) func(sseEvent) bool {
				return func(e sseEvent) bool {
					var v struct{ ID, Status string }
					return e.Type == typ && json.Unmarshal(e.Data, &v) == nil && v.ID == id && (status == "" || v.Status == status)
				}
			}
			stream.WaitFor(downloadTimeout, "download.created on node B", of("download.created", "queued"))
			stream.WaitFor(downloadTimeout, "download.progress on node B", of("download.progress", "downloading"))
			stream.WaitFor(downloadTimeout, "download.updated completed on node B", of("download.updated", "completed"))
			stream.WaitFor(downloadTimeout, "file.created on node B", func(e sseEvent) bool {
				var v struct {
					DownloadID string `json:"download_id"`
				}
				return e.Type == "file.created" && json.Unmarshal(e.Data, &v) == nil && v.DownloadID == id
			})
			got := getDownload(t, cb, d.ID)
			if got.Status != "completed" || len(got.Files) != 1 {
				t.Errorf("seen from node B: %s", got)
			}
			// The worker node did the work; node B only serves.
			var node string
			if err := a.App.Store.DB.Table("downloads").Select("node").Where("id = ?", d.ID).Scan(&node).Error; err != nil {
				t.Fatal(err)
			}
			if node != "node-a" {
				t.Errorf("worked by %q, want node-a", node)
			}
		})
	}
}

// TestDownloadCancelFromAnotherNode cancels on node B a download that
// node A runs: A's processes stop within seconds.
func TestDownloadCancelFromAnotherNode(t *testing.T) {
	t.Parallel()
	if storetest.Kind() != config.Postgres {
		t.Skip("two nodes need a shared Postgres database; run with TEST_DB=postgres")
	}
	a := apitest.New(t, localMedia(), nodeName("node-a"))
	b := apitest.New(t, localMedia(), noWorkers(), nodeName("node-b"), apitest.WithDatabase(a.Database()))
	user := newAccount(t, a, authz.RoleUser)
	ca, _ := signIn(t, a, user)
	cb, _ := signIn(t, b, user)
	srv := testmedia.NewServer(t)
	d := submitURL(t, ca, srv.SlowURL(testmedia.PathBig, 150_000))
	waitStatus(t, a, ca, d.ID, "downloading")
	waitProcess(t, 30*time.Second, d.ID.String())
	start := time.Now()
	expectStatus(t, cb.Post("/api/v1/downloads/"+d.ID.String()+"/cancel", nil), http.StatusOK)
	waitNoProcesses(t, 40*time.Second, d.ID.String())
	took := time.Since(start)
	t.Logf("node A's processes gone %v after the cancel on node B", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("a cancel from another node took %v to stop the download", took)
	}
	got := getDownload(t, ca, d.ID)
	if got.Status != "canceled" || len(got.Files) != 0 {
		t.Errorf("after the cancel: %s", got)
	}
}

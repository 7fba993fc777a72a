package crashtest

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestPlaylistRestart (issue 23, fault 1): a playlist (a local RSS feed
// of 5 slow items) is stopped while its children download, by kill -9 or
// by SIGTERM, and started again. It ends with exactly 5 children and 5
// files: the feed is listed once (the media server counts), never
// expanded a second time by recovery.
func TestPlaylistRestart(t *testing.T) {
	for _, how := range []string{"kill", "sigterm"} {
		t.Run(how, func(t *testing.T) {
			needBinary(t)
			db := storetest.NewDatabase(t)
			n := newNode(t, "node-a", db)
			c := newAdmin(t, n)
			srv := testmedia.NewServer(t)
			st, err := os.Stat(testmedia.Video(t))
			if err != nil {
				t.Fatal(err)
			}
			// Each item takes about 6 s, so children run at the stop.
			feed := srv.SlowFeedURL(5, int(st.Size()/6))
			p := c.submit(n, feed)
			var kids []download
			waitFor(t, 2*time.Minute, "a child to complete while others run", func() bool {
				kids = nil
				c.list(n, "/api/v1/downloads?parent_id="+p.ID+"&limit=100", &kids)
				done, running := 0, 0
				for _, k := range kids {
					switch k.Status {
					case "completed":
						done++
					case "fetching_info", "downloading", "post_processing":
						running++
					}
				}
				return done >= 1 && running >= 1
			})
			got, _ := c.get(n, p.ID)
			t.Logf("parent %s at the stop, %d children", got.Status, len(kids))
			if how == "kill" {
				n.kill()
				waitProcsGone(t, n)
			} else if state, took := n.stop(); state.ExitCode() != 0 {
				t.Errorf("exit %v after SIGTERM (%v)", state, took)
			}
			n.start()
			done := c.waitCompleted(n, p.ID, 3*time.Minute)
			kids = nil
			c.list(n, "/api/v1/downloads?parent_id="+p.ID+"&limit=100", &kids)
			files := 0
			for _, k := range kids {
				if k.Status != "completed" {
					t.Errorf("child %s: %s", k.ID, k.Status)
				}
				files += len(k.Files)
			}
			listed := srv.Count("/feed.xml")
			t.Logf("parent %s: %d children, %d files, feed listed %d times", done.Status, len(kids), files, listed)
			// The feed is read twice on the way: by the first run, which
			// finds it is a playlist, then to list its entries. Expanding
			// it again would read it once more.
			if len(kids) != 5 || files != 5 || listed > 2 {
				t.Errorf("want 5 children, 5 files and the feed read at most twice: %d, %d, %d", len(kids), files, listed)
			}
			perItem := map[string]int{}
			for _, r := range srv.Requests() {
				if r.Method == http.MethodGet && r.Range == "" && r.Path != "/feed.xml" {
					perItem[r.Query]++
				}
			}
			t.Logf("media requests without Range, per item: %v", perItem)
			if len(perItem) != 5 {
				t.Errorf("%d items fetched, want 5", len(perItem))
			}
			if lib := libraryFiles(t, n); len(lib) != 5 {
				t.Errorf("library holds %d files, want 5: %v", len(lib), lib)
			}
		})
	}
}

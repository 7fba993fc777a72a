package clustertest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestLibraryOnS3 runs the binary with DOWNLINK_STORAGE=s3 against an S3
// server in this process: the worker downloads into its local temp folder
// and uploads the finished file; the API streams it back with Range from
// the bucket and deletes it there. Nothing lands in the data dir's library.
func TestLibraryOnS3(t *testing.T) {
	needBinary(t)
	mem := s3mem.New()
	if err := mem.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	fake := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(fake.Close)
	db := storetest.NewDatabase(t)
	dbURL := db.DSN
	if db.Kind == config.SQLite {
		dbURL = "sqlite://" + db.DSN
	}
	c := clusterEnv{dataDir: t.TempDir(), dbURL: dbURL, extra: []string{
		"DOWNLINK_STORAGE=s3", "DOWNLINK_S3_ENDPOINT=" + fake.URL, "DOWNLINK_S3_BUCKET=media",
		"DOWNLINK_S3_REGION=us-east-1", "DOWNLINK_S3_ACCESS_KEY=test", "DOWNLINK_S3_SECRET_KEY=test-secret",
		"DOWNLINK_S3_PATH_STYLE=true", "DOWNLINK_S3_PREFIX=downlink",
	}}
	node := c.start(t, "serve", "s3-node", "DOWNLINK_WORKERS=2")
	cl := newClient(t, adminKey(t, c))
	srv := testmedia.NewServer(t)
	original, err := os.ReadFile(testmedia.Video(t))
	if err != nil {
		t.Fatal(err)
	}
	d := cl.submit(node.url, srv.URL(testmedia.PathVideo))
	var got download
	waitFor(t, 90*time.Second, "the download to finish", func() bool {
		cl.do(http.MethodGet, node.url+"/api/v1/downloads/"+d.ID, nil, &got, http.StatusOK)
		if got.Status == "failed" {
			t.Fatalf("download failed: %+v\n%s", got, node.logs.tail(40))
		}
		return got.Status == "completed"
	})
	if len(got.Files) != 1 || got.Files[0].SizeBytes != int64(len(original)) {
		t.Fatalf("files = %+v, want one of %d bytes", got.Files, len(original))
	}
	// The video and the still grabbed from it (the site gave no thumbnail).
	objects := listObjects(t, mem, "media")
	if len(objects) != 2 || !strings.HasPrefix(objects[0], "downlink/") || !strings.HasPrefix(objects[1], "downlink/") ||
		!strings.HasSuffix(objects[0], ".mp4") || !strings.HasSuffix(objects[1], ".thumb.jpg") {
		t.Fatalf("bucket holds %v, want the video and its still under downlink/", objects)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.dataDir, "library")); len(entries) != 0 {
		t.Fatalf("the local library folder holds %d entries", len(entries))
	}

	content := node.url + "/api/v1/files/" + got.Files[0].ID + "/content"
	req, _ := http.NewRequest(http.MethodGet, content, nil)
	req.Header.Set("Authorization", "Bearer "+cl.key)
	req.Header.Set("Range", "bytes=100-1099")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, original[100:1100]) {
		t.Fatalf("ranged read: %d, %d bytes", resp.StatusCode, len(body))
	}

	cl.do(http.MethodDelete, node.url+"/api/v1/files/"+got.Files[0].ID, nil, nil, http.StatusNoContent)
	if objects := listObjects(t, mem, "media"); len(objects) != 0 {
		t.Fatalf("after delete the bucket holds %v", objects)
	}
}

func listObjects(t *testing.T, mem *s3mem.Backend, bucket string) []string {
	t.Helper()
	res, err := mem.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range res.Contents {
		out = append(out, o.Key)
	}
	return out
}

package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// libraryFile puts a real file in the library for userID, registered as
// created at created.
func libraryFile(t *testing.T, env *apitest.Env, userID uuid.UUID, name string, size int, created time.Time, pinned bool) files.Row {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	im, err := env.App.Engine.Files.Import(src, userID, "generic", name, uuid.NewString()[:8], ".mp4")
	if err != nil {
		t.Fatal(err)
	}
	r := files.Row{ID: uuid.New(), UserID: userID, Name: im.Name, RelPath: im.RelPath, SizeBytes: im.Size,
		MimeType: "video/mp4", Kind: files.KindVideo, Platform: "generic", Pinned: pinned, CreatedAt: created.UTC()}
	if err := env.App.Store.DB.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func onDisk(env *apitest.Env, r files.Row) bool {
	_, err := os.Stat(filepath.Join(env.App.Engine.Files.Root(), r.RelPath))
	return err == nil
}

func TestRetentionPreviewIsWhatTheRunDeletes(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	alice := newAccount(t, env, authz.RoleUser)
	old := time.Now().Add(-30 * 24 * time.Hour)
	expired1 := libraryFile(t, env, alice.ID, "old one", 1000, old, false)
	expired2 := libraryFile(t, env, alice.ID, "old two", 2000, old.Add(time.Hour), false)
	pinned := libraryFile(t, env, alice.ID, "old pinned", 3000, old, true)
	fresh := libraryFile(t, env, alice.ID, "fresh", 4000, time.Now(), false)

	// Without a policy nothing is listed.
	var prev files.RetentionPreview
	admin.Get("/api/v1/storage/retention-preview").Expect(http.StatusOK).JSON(&prev)
	if prev.RetentionDays != nil || len(prev.Items) != 0 {
		t.Fatalf("preview without retention = %+v", prev)
	}
	// The node runs retention once at start (River's RunOnStart); on a
	// loaded machine that run can start late. Let it finish before the
	// policy exists, so the run below is the only one that deletes.
	testkit.Eventually(t, time.Minute, func() error {
		if countRows(t, env, "river_job", "kind = ? AND state = ?", "files_retention", "completed") == 0 {
			return errors.New("the start-up retention run never completed")
		}
		return nil
	})
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	g["retention_days"] = 7
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)

	// Page through the preview one item at a time.
	var listed []uuid.UUID
	cursor := ""
	for {
		path := "/api/v1/storage/retention-preview?limit=1"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		admin.Get(path).Expect(http.StatusOK).JSON(&prev)
		for _, f := range prev.Items {
			listed = append(listed, f.ID)
		}
		if prev.NextCursor == nil {
			break
		}
		cursor = *prev.NextCursor
	}
	if prev.TotalCount != 2 || prev.TotalBytes != 3000 {
		t.Fatalf("preview totals = %d files, %d bytes; want 2, 3000", prev.TotalCount, prev.TotalBytes)
	}
	want := []uuid.UUID{expired1.ID, expired2.ID}
	if len(listed) != 2 || listed[0] != want[0] || listed[1] != want[1] {
		t.Fatalf("preview lists %v, want %v oldest first", listed, want)
	}
	// Alice sees her own preview; her files are the same two.
	aliceC, _ := signIn(t, env, alice)
	var own files.RetentionPreview
	aliceC.Get("/api/v1/storage/retention-preview").Expect(http.StatusOK).JSON(&own)
	if own.TotalCount != 2 {
		t.Fatalf("alice's preview = %d files", own.TotalCount)
	}
	expectProblem(t, aliceC.Post("/api/v1/storage/retention-run", nil), http.StatusForbidden)

	var res files.RetentionResult
	admin.Post("/api/v1/storage/retention-run", nil).Expect(http.StatusOK).JSON(&res)
	if res.DeletedCount != 2 || res.FreedBytes != 3000 || res.FailedCount != 0 {
		t.Fatalf("run = %+v", res)
	}
	var remaining []uuid.UUID
	env.App.Store.DB.Model(&files.Row{}).Pluck("id", &remaining)
	sort.Slice(remaining, func(i, j int) bool { return remaining[i].String() < remaining[j].String() })
	wantLeft := []uuid.UUID{pinned.ID, fresh.ID}
	sort.Slice(wantLeft, func(i, j int) bool { return wantLeft[i].String() < wantLeft[j].String() })
	if len(remaining) != 2 || remaining[0] != wantLeft[0] || remaining[1] != wantLeft[1] {
		t.Fatalf("rows left %v, want the pinned and the fresh file", remaining)
	}
	for _, r := range []files.Row{expired1, expired2} {
		if onDisk(env, r) {
			t.Errorf("%s still on disk", r.Name)
		}
	}
	for _, r := range []files.Row{pinned, fresh} {
		if !onDisk(env, r) {
			t.Errorf("%s was removed from disk", r.Name)
		}
	}
	if audits := logLines(t, env, func(m map[string]any) bool { return m["action"] == "storage.retention_run" }); len(audits) != 1 {
		t.Fatalf("%d retention audit records", len(audits))
	}
	var st files.Storage
	admin.Get("/api/v1/storage").Expect(http.StatusOK).JSON(&st)
	if st.Retention.Days == nil || *st.Retention.Days != 7 || st.Retention.LastRunAt == nil {
		t.Fatalf("storage retention = %+v", st.Retention)
	}
}

func TestStorageQuotaRefusesNewDownloads(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia())
	media := testmedia.NewServer(t)
	admin := adminClient(t, env)
	bob := newAccount(t, env, authz.RoleUser)
	bobC, _ := signIn(t, env, bob)

	// A download, then a quota smaller than its file: bob is over it.
	// (A quota set first would be a race: a download that passes its
	// quota while it runs is stopped, TestDownloadTempBytesCountAgainstQuota,
	// and on a slow machine the check came before the end.)
	d := submitURL(t, bobC, media.URL(testmedia.PathVideo))
	waitCompleted(t, env, bobC, d.ID)
	admin.Do(http.MethodPatch, "/api/v1/users/"+bob.ID.String(), map[string]any{"storage_quota_bytes": 1000}).Expect(http.StatusOK)
	var st files.Storage
	bobC.Get("/api/v1/storage").Expect(http.StatusOK).JSON(&st)
	if !st.OverQuota || st.QuotaBytes == nil || *st.QuotaBytes != 1000 || st.UsedBytes <= 1000 || st.FilesCount != 1 {
		t.Fatalf("bob's storage = %+v", st)
	}
	if st.Users != nil {
		t.Fatal("a user sees everyone's usage")
	}
	before := countRows(t, env, "downloads", "")
	p := expectProblem(t, bobC.Post("/api/v1/downloads", map[string]any{"url": media.URL(testmedia.PathVideo)}), http.StatusInsufficientStorage)
	if p["quota_bytes"] != float64(1000) || p["used_bytes"] == nil {
		t.Fatalf("507 body = %v", p)
	}
	if after := countRows(t, env, "downloads", ""); after != before {
		t.Fatal("a refused download left a row")
	}
	// The default quota applies to users without their own.
	carol := newAccount(t, env, authz.RoleUser)
	libraryFile(t, env, carol.ID, "big", 5000, time.Now(), false)
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	g["default_storage_quota_bytes"] = 4096
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)
	if err := env.App.Engine.Files.CheckQuota(context.Background(), carol.ID); err == nil {
		t.Fatal("the default quota does not apply")
	}
	// Raising bob's quota lets him download again.
	admin.Do(http.MethodPatch, "/api/v1/users/"+bob.ID.String(), map[string]any{"storage_quota_bytes": nil}).Expect(http.StatusOK)
	if err := env.App.Engine.Files.CheckQuota(context.Background(), bob.ID); err == nil {
		t.Fatal("bob falls back to the default 4 KiB quota and is over it, yet passes")
	}
	// Admins see every user's usage.
	admin.Get("/api/v1/storage").Expect(http.StatusOK).JSON(&st)
	if len(st.Users) < 3 || st.TotalUsedBytes == nil || *st.TotalUsedBytes < 5000 {
		t.Fatalf("admin storage = %+v", st)
	}
}

func TestOrphansAndMissingFiles(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	alice := newAccount(t, env, authz.RoleUser)
	kept := libraryFile(t, env, alice.ID, "kept", 100, time.Now(), false)
	gone := libraryFile(t, env, alice.ID, "gone", 100, time.Now(), false)
	if err := os.Remove(filepath.Join(env.App.Engine.Files.Root(), gone.RelPath)); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(env.App.Engine.Files.Root(), alice.ID.String(), "generic", "copied by hand.mp4")
	if err := os.WriteFile(stray, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(stray, old, old)
	n, err := env.App.Engine.Files.CheckOrphans(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("orphan check found %d, %v; want 1", n, err)
	}
	var list files.OrphanList
	admin.Get("/api/v1/storage/orphans").Expect(http.StatusOK).JSON(&list)
	if list.TotalCount != 1 || len(list.Items) != 1 || list.Items[0].UserID == nil || *list.Items[0].UserID != alice.ID {
		t.Fatalf("orphans = %+v", list)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Fatal("the check deleted the orphan; it must only list it")
	}
	aliceC, _ := signIn(t, env, alice)
	fs := listFilesOf(t, aliceC, "")
	missing := map[uuid.UUID]bool{}
	for _, f := range fs {
		missing[f.ID] = f.Missing
	}
	if missing[kept.ID] || !missing[gone.ID] {
		t.Fatalf("missing flags = %v", missing)
	}
	expectProblem(t, aliceC.Get("/api/v1/files/"+gone.ID.String()+"/content"), http.StatusNotFound)
}

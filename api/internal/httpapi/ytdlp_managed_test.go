package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// TestManagedYtdlpUpdateDownloadRollback is the admin's journey: the
// System view shows the system yt-dlp; a check finds a release on the
// stand-in; an update installs it and the next download runs with it; a
// second update while a download runs switches new jobs only (the running
// download finishes on the version it started with); a rollback makes the
// previous version active again. Each step is audited.
func TestManagedYtdlpUpdateDownloadRollback(t *testing.T) {
	t.Parallel()
	w := newYtdlpWorld(t, localMedia())
	w.srv.Publish(releasetest.NewRelease(t, w.key, ytdlpV1, nil))
	user, _ := signIn(t, w.env, newAccount(t, w.env, authz.RoleUser))
	media := testmedia.NewServer(t)
	const node = "test-node"

	st := getYtdlp(t, w.admin)
	n := st.node(node)
	if n == nil || n.Active.Source != "system" || n.Active.version() == "" || n.Previous != nil || n.Latest != nil {
		t.Fatalf("before anything: %+v", st)
	}
	if st.Settings.Mode != "notify" || st.Settings.Channel != "stable" {
		t.Fatalf("default setting %+v, want notify/stable", st.Settings)
	}
	system := n.Active.version()

	op, nodes := dispatchYtdlp(t, w.admin, "check", nil)
	if len(nodes) != 1 || nodes[0] != node {
		t.Fatalf("check sent to %v", nodes)
	}
	checked := ytdlpOpDone(t, w.env, w.admin, node, op, "succeeded")
	if checked.Latest == nil || checked.Latest.Version == nil || *checked.Latest.Version != ytdlpV1 || !checked.UpdateAvailable {
		t.Fatalf("after the check: %+v", checked)
	}

	op, _ = dispatchYtdlp(t, w.admin, "update", map[string]any{"version": ytdlpV1})
	updated := ytdlpOpDone(t, w.env, w.admin, node, op, "succeeded")
	if updated.Active.Source != "managed" || updated.Active.version() != ytdlpV1 || updated.Previous == nil ||
		updated.Previous.Source != "system" || updated.Previous.version() != system || updated.UpdateAvailable {
		t.Fatalf("after the update: %+v", updated)
	}
	if got := runsAs(t, updated.Active.Path); got != ytdlpV1 {
		t.Fatalf("the active file says %q, want %s", got, ytdlpV1)
	}
	var sys struct {
		Ytdlp struct {
			Version string `json:"version"`
			Source  string `json:"source"`
		} `json:"ytdlp"`
	}
	expectStatus(t, w.admin.Get("/api/v1/system"), http.StatusOK).JSON(&sys)
	if sys.Ytdlp.Version != ytdlpV1 || sys.Ytdlp.Source != "managed" {
		t.Fatalf("GET /system ytdlp %+v", sys.Ytdlp)
	}

	// A slow download starts on v1 ...
	running := submitURL(t, user, media.SlowURL(testmedia.PathBig, 150_000))
	d := waitDownload(t, w.env, user, running.ID, downloadTimeout, "downloading", func(d download) bool {
		return d.Status == "downloading" && d.Progress.DownloadedBytes > 0
	})
	if d.YtdlpVersion == nil || *d.YtdlpVersion != ytdlpV1 {
		t.Fatalf("running download records yt-dlp %v, want %s", d.YtdlpVersion, ytdlpV1)
	}
	// ... v2 is installed while it runs ...
	w.srv.Publish(releasetest.NewRelease(t, w.key, ytdlpV2, nil))
	op, _ = dispatchYtdlp(t, w.admin, "update", nil)
	updated = ytdlpOpDone(t, w.env, w.admin, node, op, "succeeded")
	if updated.Active.version() != ytdlpV2 || updated.Previous.version() != ytdlpV1 {
		t.Fatalf("after the second update: %+v", updated)
	}
	if d := getDownload(t, user, running.ID); d.final() {
		t.Fatalf("the download finished before the switch (slow the media down to test a switch under a running job): %s", d)
	}
	// ... finishes on v1, and the next download runs v2.
	if d := waitCompleted(t, w.env, user, running.ID); *d.YtdlpVersion != ytdlpV1 {
		t.Fatalf("the download running during the switch ran yt-dlp %s, want %s", *d.YtdlpVersion, ytdlpV1)
	}
	next := submitURL(t, user, media.URL(testmedia.PathVideo))
	if d := waitCompleted(t, w.env, user, next.ID); d.YtdlpVersion == nil || *d.YtdlpVersion != ytdlpV2 {
		t.Fatalf("the next download ran yt-dlp %v, want %s", d.YtdlpVersion, ytdlpV2)
	}

	op, _ = dispatchYtdlp(t, w.admin, "rollback", nil)
	back := ytdlpOpDone(t, w.env, w.admin, node, op, "succeeded")
	if back.Active.version() != ytdlpV1 || back.Previous.version() != ytdlpV2 {
		t.Fatalf("after the rollback: %+v", back)
	}
	if got := runsAs(t, back.Active.Path); got != ytdlpV1 {
		t.Fatalf("after the rollback the active file says %q, want %s", got, ytdlpV1)
	}

	for _, action := range []string{"ytdlp.updated", "ytdlp.rolled_back", "ytdlp.update_requested"} {
		p := waitLogs(t, w.admin, url.Values{"audit": {"true"}}, func(p logPage) bool {
			return findLog(p, func(e logEntry) bool { return e.Action != nil && *e.Action == action }) != nil
		})
		e := findLog(p, func(e logEntry) bool { return e.Action != nil && *e.Action == action })
		if e.Target == nil || *e.Target != "ytdlp:"+node || e.ActorID == nil {
			t.Errorf("audit %s: %+v", action, *e)
		}
	}
}

// TestManagedYtdlpRefusalShowsWhy: a release signed with another key is
// refused; the node's operation says why, the active yt-dlp stays, and the
// refusal is audited.
func TestManagedYtdlpRefusalShowsWhy(t *testing.T) {
	t.Parallel()
	w := newYtdlpWorld(t)
	w.srv.Publish(releasetest.NewRelease(t, releasetest.OtherKey(t), ytdlpV1, nil))
	op, _ := dispatchYtdlp(t, w.admin, "update", nil)
	n := ytdlpOpDone(t, w.env, w.admin, "test-node", op, "failed")
	if n.Operation.Code == nil || *n.Operation.Code != "bad_signature" || !strings.Contains(n.Operation.Message, "signing key") {
		t.Fatalf("refused operation %+v", *n.Operation)
	}
	if n.Active.Source != "system" {
		t.Fatalf("active after a refusal: %+v", n.Active)
	}
	waitLogs(t, w.admin, url.Values{"audit": {"true"}}, func(p logPage) bool {
		return findLog(p, func(e logEntry) bool {
			return e.Action != nil && *e.Action == "ytdlp.refused" && strings.Contains(e.Message, "signing key")
		}) != nil
	})
	// Nothing to roll back to: 409.
	expectProblem(t, w.admin.Post("/api/v1/system/ytdlp/rollback", nil), http.StatusConflict)
	// A version that is not one: 422.
	expectProblem(t, w.admin.Post("/api/v1/system/ytdlp/update", map[string]any{"version": "../../etc"}), http.StatusUnprocessableEntity)
}

// TestManagedYtdlpInstallFromUpload: an air-gapped admin uploads a
// release's files; tampered ones are refused with a reason (422) and
// change nothing, the real ones are installed on this node.
func TestManagedYtdlpInstallFromUpload(t *testing.T) {
	t.Parallel()
	w := newYtdlpWorld(t)
	rel := releasetest.NewRelease(t, w.key, ytdlpV2, nil)
	build, sums, sig := rel.Files[releasetest.Asset()], rel.Files["SHA2-256SUMS"], rel.Files["SHA2-256SUMS.sig"]

	tampered := append(append([]byte(nil), build...), '\n')
	body, ct := installForm(t, sums, sig, tampered)
	p := expectProblem(t, w.admin.Do(http.MethodPost, "/api/v1/system/ytdlp/install", body, "Content-Type", ct), http.StatusUnprocessableEntity)
	if p["code"] != "not_listed" {
		t.Fatalf("tampered upload: %v", p)
	}
	if n := getYtdlp(t, w.admin).node("test-node"); n.Active.Source != "system" {
		t.Fatalf("active after a refused upload: %+v", n.Active)
	}

	body, ct = installForm(t, sums, sig, build)
	var n ytdlpNode
	expectStatus(t, w.admin.Do(http.MethodPost, "/api/v1/system/ytdlp/install", body, "Content-Type", ct), http.StatusOK).JSON(&n)
	if n.Active.Source != "managed" || n.Active.version() != ytdlpV2 || n.Operation == nil || n.Operation.Action != "install" {
		t.Fatalf("after the upload: %+v", n)
	}
	if got := runsAs(t, n.Active.Path); got != ytdlpV2 {
		t.Fatalf("the installed file says %q", got)
	}
	// Not multipart: 415.
	expectProblem(t, w.admin.Post("/api/v1/system/ytdlp/install", map[string]any{}), http.StatusUnsupportedMediaType)
}

// TestManagedYtdlpSettingAndReadiness: the admin switches to auto on the
// nightly channel; an old yt-dlp makes readiness warn (not fail).
func TestManagedYtdlpSettingAndReadiness(t *testing.T) {
	t.Parallel()
	w := newYtdlpWorld(t)
	var pol struct{ Mode, Channel string }
	expectStatus(t, w.admin.Do(http.MethodPut, "/api/v1/system/ytdlp/settings", map[string]any{"mode": "auto", "channel": "nightly"}), http.StatusOK).JSON(&pol)
	if pol.Mode != "auto" || pol.Channel != "nightly" || getYtdlp(t, w.admin).Settings.Mode != "auto" {
		t.Fatalf("setting %+v", pol)
	}
	expectProblem(t, w.admin.Do(http.MethodPut, "/api/v1/system/ytdlp/settings", map[string]any{"mode": "sometimes", "channel": "stable"}), http.StatusUnprocessableEntity)

	// A release from July 2026 is more than 60 days old.
	old := releasetest.NewRelease(t, w.key, "2026.07.10", nil)
	old.Channel = "nightly"
	w.srv.Publish(old)
	op, _ := dispatchYtdlp(t, w.admin, "update", nil)
	ytdlpOpDone(t, w.env, w.admin, "test-node", op, "succeeded")
	var ready struct {
		Ready    bool     `json:"ready"`
		Warnings []string `json:"warnings"`
	}
	expectStatus(t, w.env.Client().Get("/readyz"), http.StatusOK).JSON(&ready)
	if !ready.Ready || !strings.Contains(strings.Join(ready.Warnings, "\n"), "2026.07.10 on this node is") {
		t.Fatalf("readiness with an old yt-dlp: %+v", ready)
	}
}

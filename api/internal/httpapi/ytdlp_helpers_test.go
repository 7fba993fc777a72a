package httpapi_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// Versions the yt-dlp tests publish (far ahead of any real one, so they
// are "newer" than the system yt-dlp).
const (
	ytdlpV1 = "2030.01.01"
	ytdlpV2 = "2030.02.02"
)

// ytdlpTimeout bounds one update (a ~6 MB zipapp from 127.0.0.1 and its
// --version) on a busy machine; waits poll.
const ytdlpTimeout = 2 * time.Minute

// ytdlpWorld is a server whose managed yt-dlp comes from a release
// stand-in signed with the test key, and its admin.
type ytdlpWorld struct {
	env   *apitest.Env
	srv   *releasetest.Server
	key   *releasetest.Key
	admin *apitest.Client
}

// ytdlpReleases points a server at srv and trusts key instead of yt-dlp's.
func ytdlpReleases(t *testing.T, srv *releasetest.Server, key *releasetest.Key) apitest.Option {
	keyFile := key.WritePublic(t)
	return apitest.WithConfig(func(c *config.Config) {
		c.YtdlpReleasesAPI, c.YtdlpReleasesDownload, c.YtdlpSigningKey = srv.URL, srv.URL, keyFile
	})
}

func newYtdlpWorld(t *testing.T, opts ...apitest.Option) ytdlpWorld {
	t.Helper()
	w := ytdlpWorld{srv: releasetest.NewServer(t), key: releasetest.TestKey(t)}
	w.env = apitest.New(t, append([]apitest.Option{ytdlpReleases(t, w.srv, w.key)}, opts...)...)
	w.admin, _ = signIn(t, w.env, newAccount(t, w.env, authz.RoleAdmin))
	return w
}

// ytdlpTool is a yt-dlp as GET /system/ytdlp shows it.
type ytdlpTool struct {
	Version *string `json:"version"`
	Source  string  `json:"source"`
	Path    string  `json:"path"`
	AgeDays *int    `json:"age_days"`
	Error   *string `json:"error"`
}

func (t *ytdlpTool) version() string {
	if t == nil || t.Version == nil {
		return ""
	}
	return *t.Version
}

type ytdlpOperation struct {
	ID            string  `json:"id"`
	Action        string  `json:"action"`
	Status        string  `json:"status"`
	Phase         *string `json:"phase"`
	TargetVersion *string `json:"target_version"`
	Code          *string `json:"code"`
	Message       string  `json:"message"`
	RequestedBy   *string `json:"requested_by"`
}

type ytdlpNode struct {
	Node     string     `json:"node"`
	Alive    bool       `json:"alive"`
	Active   ytdlpTool  `json:"active"`
	Previous *ytdlpTool `json:"previous"`
	Latest   *struct {
		Version *string `json:"version"`
		OK      bool    `json:"ok"`
		Error   *string `json:"error"`
	} `json:"latest"`
	UpdateAvailable bool            `json:"update_available"`
	Operation       *ytdlpOperation `json:"operation"`
}

type ytdlpStatus struct {
	Settings struct {
		Mode    string `json:"mode"`
		Channel string `json:"channel"`
	} `json:"settings"`
	Nodes          []ytdlpNode `json:"nodes"`
	VersionsDiffer bool        `json:"versions_differ"`
}

func (s ytdlpStatus) node(name string) *ytdlpNode {
	for i := range s.Nodes {
		if s.Nodes[i].Node == name {
			return &s.Nodes[i]
		}
	}
	return nil
}

func getYtdlp(t *testing.T, c *apitest.Client) ytdlpStatus {
	t.Helper()
	var s ytdlpStatus
	expectStatus(t, c.Get("/api/v1/system/ytdlp"), http.StatusOK).JSON(&s)
	return s
}

// waitYtdlp polls GET /system/ytdlp until cond holds.
func waitYtdlp(t *testing.T, env *apitest.Env, c *apitest.Client, what string, cond func(ytdlpStatus) bool) ytdlpStatus {
	t.Helper()
	var s ytdlpStatus
	err := testkit.Poll(ytdlpTimeout, func() error {
		if s = getYtdlp(t, c); !cond(s) {
			return fmt.Errorf("last %+v", s)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("GET /system/ytdlp: not %s after %v; %v\nlog tail:\n%s", what, ytdlpTimeout, err, logTail(env, 4000))
	}
	return s
}

// ytdlpOpDone waits until op on node ended and returns the node; a
// failure when want is succeeded fails the test with the reason.
func ytdlpOpDone(t *testing.T, env *apitest.Env, c *apitest.Client, node, op, want string) ytdlpNode {
	t.Helper()
	s := waitYtdlp(t, env, c, "done with operation "+op+" on "+node, func(s ytdlpStatus) bool {
		n := s.node(node)
		return n != nil && n.Operation != nil && n.Operation.ID == op &&
			(n.Operation.Status == "succeeded" || n.Operation.Status == "failed")
	})
	n := s.node(node)
	if n.Operation.Status != want {
		t.Fatalf("operation %s on %s: %+v, want %s", op, node, *n.Operation, want)
	}
	return *n
}

// dispatchYtdlp posts a check, update or rollback and returns its id.
func dispatchYtdlp(t *testing.T, c *apitest.Client, action string, body any) (id string, nodes []string) {
	t.Helper()
	var out struct {
		OperationID string   `json:"operation_id"`
		Nodes       []string `json:"nodes"`
	}
	expectStatus(t, c.Post("/api/v1/system/ytdlp/"+action, body), http.StatusAccepted).JSON(&out)
	return out.OperationID, out.Nodes
}

// runsAs runs the executable at path and returns what --version says.
func runsAs(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// installForm is the multipart body of POST /system/ytdlp/install.
func installForm(t *testing.T, sums, sig, build []byte) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range []struct {
		name, file string
		data       []byte
	}{{"sums", "SHA2-256SUMS", sums}, {"sig", "SHA2-256SUMS.sig", sig}, {"file", releasetest.Asset(), build}} {
		w, err := mw.CreateFormFile(p.name, p.file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
)

// proxyReceiver is a local HTTP proxy that answers nothing useful and
// records the Proxy-Authorization of every request it gets.
type proxyReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newProxyReceiver(t *testing.T) *proxyReceiver {
	t.Helper()
	r := &proxyReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auths = append(r.auths, req.Header.Get("Proxy-Authorization"))
		r.mu.Unlock()
		http.Error(w, "no", http.StatusBadGateway)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *proxyReceiver) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auths...)
}

// TestProxyHostChangeDropsStoredPassword: the masked password in a proxy
// URL keeps the stored one for the same proxy only. Pointed at another
// host, the stored credentials are dropped, and the new proxy (a local
// receiver) never sees them when a download goes through it.
func TestProxyHostChangeDropsStoredPassword(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia())
	admin := adminClient(t, env)
	receiver := newProxyReceiver(t)
	newHost := strings.TrimPrefix(receiver.URL, "http://")

	admin.Do(http.MethodPut, "/api/v1/settings/platforms/generic", platformBody(map[string]any{
		"proxy": "http://corp:hunter2pw@127.0.0.1:3128"})).Expect(http.StatusOK)
	var got map[string]any
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/generic", platformBody(map[string]any{
		"proxy": "http://corp:********@" + newHost})).Expect(http.StatusOK).JSON(&got)
	if got["proxy"] != "http://"+newHost {
		t.Fatalf("proxy shown as %v after the host changed, want no credentials", got["proxy"])
	}
	if p := effective(t, env, "generic").Proxy; p == nil || p.User != nil {
		t.Fatalf("effective proxy %v, want the new host without credentials", p)
	}

	d := submitURL(t, admin, "http://127.0.0.1:9/clip.mp4")
	deadline := time.Now().Add(downloadTimeout)
	for len(receiver.seen()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the download (%s) never reached the new proxy", getDownload(t, admin, d.ID).Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, a := range receiver.seen() {
		if a != "" {
			t.Fatalf("the new proxy got credentials %q", a)
		}
	}

	// Typing a new password for the new host stores it.
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/generic", platformBody(map[string]any{
		"proxy": "http://corp:newpass1@" + newHost})).Expect(http.StatusOK)
	if p := effective(t, env, "generic").Proxy; p == nil || p.User == nil {
		t.Fatalf("effective proxy %v, want the typed credentials", p)
	} else if pw, _ := p.User.Password(); pw != "newpass1" {
		t.Fatalf("password %q", pw)
	}
	// The same host with the masked password keeps it; the default port
	// spelled out is the same proxy.
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/generic", platformBody(map[string]any{
		"proxy": "http://corp2:********@" + newHost})).Expect(http.StatusOK)
	if p := effective(t, env, "generic").Proxy; p == nil || p.User == nil || p.User.Username() != "corp2" {
		t.Fatalf("effective proxy %v, want the kept password under the new user name", p)
	}
}

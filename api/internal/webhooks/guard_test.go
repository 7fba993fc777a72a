package webhooks_test

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/webhooks"
)

func TestTheGuardChecksEveryConnection(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t)
	hook := e.create(rc.URL) // allowed when saved…
	e.allow.Store(false)     // …but no longer when sent
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusFailed || del.Attempts != 1 || del.ResponseStatus != nil ||
		del.Error == nil || !strings.HasPrefix(*del.Error, netguard.BlockedMarker+": loopback") {
		t.Fatalf("delivery = %+v (error %v)", del, deref(del.Error))
	}
	if n := len(rc.got()); n != 0 {
		t.Fatalf("the blocked receiver got %d requests", n)
	}
}

func TestANameIsCheckedForWhatItResolvesToWhenSent(t *testing.T) {
	rc := newReceiver(t)
	port := netip.MustParseAddrPort(strings.TrimPrefix(rc.URL, "http://")).Port()
	public := netip.AddrPortFrom(netip.MustParseAddr(publicAddr), port).String()
	// The public address leads to the receiver, as a real one would.
	e := newEnv(t, envOptions{dialer: mapDialer{public: strings.TrimPrefix(rc.URL, "http://")}})
	hook := e.create("http://hooks.example.test:" + strconv.Itoa(int(port)) + "/hook")

	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	if del := e.waitSettled(hook.ID, 1)[0]; del.Status != webhooks.StatusSucceeded {
		t.Fatalf("delivery to a public address = %+v (error %v)", del, deref(del.Error))
	}
	// The name now resolves to loopback (DNS rebinding): refused at connect time.
	e.dns.set(publicAddr, "127.0.0.1")
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	ds := e.waitSettled(hook.ID, 2)
	if del := ds[0]; del.Status != webhooks.StatusFailed || del.Attempts != 1 ||
		deref(del.Error) != "blocked destination: loopback (hooks.example.test resolves to 127.0.0.1)" {
		t.Fatalf("delivery after rebinding = %+v (error %v)", del, deref(del.Error))
	}
	if n := len(rc.got()); n != 1 {
		t.Fatalf("receiver got %d requests, want 1", n)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target := newReceiver(t)
	start := newReceiver(t)
	start.handle = func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, target.URL+"/stolen", http.StatusTemporaryRedirect)
		return true
	}
	startPort := netip.MustParseAddrPort(strings.TrimPrefix(start.URL, "http://")).Port()
	// Only the first hop is an allowed destination.
	policy := netguard.PolicyFunc(func(host string, dst netip.AddrPort) error {
		if dst.Port() == startPort {
			return nil
		}
		return &netguard.BlockedError{Host: host, Addr: dst.Addr(), Reason: netguard.ReasonMetadata}
	})
	e := newEnv(t, envOptions{allowPrivate: true, dialPolicy: policy,
		schedule: []time.Duration{30 * time.Millisecond, 30 * time.Millisecond}})
	hook := e.create(start.URL)
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusFailed || del.Attempts != 3 || *del.ResponseStatus != 307 ||
		!strings.Contains(deref(del.Error), "redirects are not followed") {
		t.Fatalf("delivery = %+v (error %v)", del, deref(del.Error))
	}
	if n := len(target.got()); n != 0 {
		t.Fatalf("the redirect target got %d requests", n)
	}
	if n := len(start.got()); n != 3 {
		t.Fatalf("the first hop got %d requests, want 3", n)
	}
}

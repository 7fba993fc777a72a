package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/webhooks"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a webhooks service on a fresh database with a running queue.
type env struct {
	t       *testing.T
	dns     *switchResolver
	allow   *atomic.Bool // private networks allowed (the receivers live on 127.0.0.1)
	st      *store.Store
	svc     *webhooks.Service
	metrics *metrics.Registry
	admin   uuid.UUID
}

type envOptions struct {
	allowPrivate bool
	schedule     []time.Duration
	timeout      time.Duration
	dialPolicy   netguard.Policy
	dialer       netguard.ContextDialer
	baseURL      string
}

// publicAddr is what names resolve to unless a test says otherwise.
const publicAddr = "93.184.215.14"

// switchResolver answers every name with the addresses last set.
type switchResolver struct{ addrs atomic.Value }

func newSwitchResolver(addrs ...string) *switchResolver {
	r := &switchResolver{}
	r.set(addrs...)
	return r
}

func (r *switchResolver) set(addrs ...string) {
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	r.addrs.Store(out)
}

func (r *switchResolver) LookupNetIP(_ context.Context, _, _ string) ([]netip.Addr, error) {
	return r.addrs.Load().([]netip.Addr), nil
}

// mapDialer connects to a public-looking address on a local server, as
// app.WithNetwork lets tests do.
type mapDialer map[string]string

func (m mapDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := m[addr]; ok {
		addr = to
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	st := storetest.New(t)
	keys, err := secrets.Load("webhooks-test-secret-key-0123456789", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	allow := &atomic.Bool{}
	allow.Store(o.allowPrivate)
	if o.schedule == nil {
		o.schedule = []time.Duration{150 * time.Millisecond, 150 * time.Millisecond}
	}
	m := metrics.New()
	dns := newSwitchResolver(publicAddr)
	jobs, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	svc := webhooks.New(webhooks.Config{RetrySchedule: o.schedule, Timeout: o.timeout, BaseURL: o.baseURL}, webhooks.Deps{
		DB: st.DB, Keys: keys, Queue: jobs, Resolver: dns, Dialer: o.dialer,
		AllowPrivate: func(context.Context) bool { return allow.Load() },
		Metrics:      m, Logger: storetest.Logger(),
	})
	if o.dialPolicy != nil {
		svc.SetDialPolicy(o.dialPolicy)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &webhooks.DeliverWorker{S: svc})
	q, err := queue.NewRunner(jobs, workers, queue.Options{NodeName: "test", Logger: storetest.Logger(),
		Queues: map[string]int{webhooks.QueueName: webhooks.QueueWorkers}, FetchPollInterval: 100 * time.Millisecond,
		Periodic: queue.Register(workers, svc.PruneTask())})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return &env{t: t, dns: dns, allow: allow, st: st, svc: svc, metrics: m, admin: uuid.New()}
}

// create registers a webhook for the given events, failing the test on error.
func (e *env) create(url string, events ...webhooks.Event) webhooks.Created {
	e.t.Helper()
	if len(events) == 0 {
		events = webhooks.Subscribable
	}
	c, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: &url, Events: events})
	if err != nil {
		e.t.Fatalf("create webhook: %v", err)
	}
	return c
}

// finish tells the service a download finished, in a transaction as the
// downloads service does.
func (e *env) finish(d downloads.Download) {
	e.t.Helper()
	err := e.st.DB.Transaction(func(tx *gorm.DB) error {
		// The downloads service writes the transition first.
		if err := tx.Exec("UPDATE webhooks SET enabled = enabled WHERE 1 = 0").Error; err != nil {
			return err
		}
		return e.svc.DownloadsFinished(context.Background(), tx, []downloads.Download{d})
	})
	if err != nil {
		e.t.Fatalf("DownloadsFinished: %v", err)
	}
}

// deliveries lists a webhook's deliveries, newest first.
func (e *env) deliveries(id uuid.UUID) []webhooks.Delivery {
	e.t.Helper()
	p, err := e.svc.Deliveries(context.Background(), id, webhooks.DeliveryParams{Limit: paging.MaxLimit})
	if err != nil {
		e.t.Fatalf("deliveries: %v", err)
	}
	return p.Items
}

// waitSettled waits until the webhook has n deliveries, all succeeded or
// failed, and returns them.
func (e *env) waitSettled(id uuid.UUID, n int) []webhooks.Delivery {
	e.t.Helper()
	var ds []webhooks.Delivery
	testkit.Eventually(e.t, 20*time.Second, func() error {
		ds = e.deliveries(id)
		settled := len(ds) == n
		for _, d := range ds {
			settled = settled && (d.Status == webhooks.StatusSucceeded || d.Status == webhooks.StatusFailed)
		}
		if !settled {
			return fmt.Errorf("deliveries never settled: %+v", ds)
		}
		return nil
	})
	return ds
}

// download is a finished download of a user on a platform.
func download(status downloads.Status, userID uuid.UUID, platform string) downloads.Download {
	now := time.Now().UTC()
	title := "A test video"
	return downloads.Download{ID: uuid.New(), URL: "https://example.com/v", Platform: platform, Kind: "video",
		Status: status, Title: &title, UserID: userID, CreatedAt: now, UpdatedAt: now, FinishedAt: &now}
}

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a webhook endpoint on 127.0.0.1 answering from a script
// (the last status repeats).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	hits     []hit
	statuses []int
	handle   func(w http.ResponseWriter, r *http.Request) bool // true: handled
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.hits)
		rc.hits = append(rc.hits, hit{header: r.Header.Clone(), body: body, at: time.Now()})
		status := http.StatusNoContent
		if len(rc.statuses) > 0 {
			status = rc.statuses[min(n, len(rc.statuses)-1)]
		}
		handle := rc.handle
		rc.mu.Unlock()
		if handle != nil && handle(w, r) {
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// verify checks a request as a receiver following the Standard Webhooks
// spec would, written from the spec rather than from the signer: the
// signed content is "{webhook-id}.{webhook-timestamp}.{body}", the key is
// the base64-decoded part of the secret after "whsec_", the header holds
// space-separated "v1,<base64>" signatures, and timestamps more than five
// minutes away are refused.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return errorf("secret is not base64: %v", err)
	}
	id, tsText, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return errorf("missing headers: id=%q timestamp=%q signature=%q", id, tsText, sigs)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errorf("timestamp %q is not an integer", tsText)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errorf("timestamp %d is %s away", ts, d)
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id+"."+tsText+".")
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errorf("no signature in %q matches", sigs)
}

package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
)

// These helpers serve the webhook tests: an admin, webhooks created
// through the API, and receivers on 127.0.0.1 that check what they get as
// a Standard Webhooks consumer would.

// apiWebhook is a webhook as the API shows it.
type apiWebhook struct {
	ID          uuid.UUID `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      []string  `json:"events"`
	Filter      struct {
		UserID   *uuid.UUID `json:"user_id"`
		Platform *string    `json:"platform"`
	} `json:"filter"`
	Enabled      bool         `json:"enabled"`
	Secret       string       `json:"secret"`
	LastDelivery *apiDelivery `json:"last_delivery"`
}

// apiDelivery is a webhook delivery as the API shows it.
type apiDelivery struct {
	ID             uuid.UUID  `json:"id"`
	WebhookID      uuid.UUID  `json:"webhook_id"`
	Event          string     `json:"event"`
	EventID        string     `json:"event_id"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	ResponseStatus *int       `json:"response_status"`
	DurationMS     *int64     `json:"duration_ms"`
	Error          *string    `json:"error"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

func (d apiDelivery) settled() bool { return d.Status == "succeeded" || d.Status == "failed" }

func (d apiDelivery) String() string {
	b, _ := json.Marshal(d)
	return string(b)
}

// webhookWorld is a server with a signed-in admin.
type webhookWorld struct {
	env   *apitest.Env
	admin account
	c     *apitest.Client
}

func newWebhookWorld(t *testing.T, opts ...apitest.Option) webhookWorld {
	t.Helper()
	env := apitest.New(t, opts...)
	w := webhookWorld{env: env, admin: newAccount(t, env, authz.RoleAdmin)}
	w.c, _ = signIn(t, env, w.admin)
	return w
}

// fastRetries makes the server retry deliveries after about 200 ms.
func (w webhookWorld) fastRetries(n int) {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = 200 * time.Millisecond
	}
	w.env.App.Webhooks.SetRetrySchedule(s)
}

// createWebhook posts body and expects 201.
func createWebhook(t *testing.T, c *apitest.Client, body map[string]any) apiWebhook {
	t.Helper()
	var h apiWebhook
	r := expectStatus(t, c.Post("/api/v1/webhooks", body), http.StatusCreated)
	r.JSON(&h)
	if loc := r.Header.Get("Location"); loc != "/api/v1/webhooks/"+h.ID.String() {
		t.Errorf("Location %q", loc)
	}
	return h
}

// deliveriesOf lists a webhook's deliveries, newest first.
func deliveriesOf(t *testing.T, c *apitest.Client, id uuid.UUID) []apiDelivery {
	t.Helper()
	var page struct {
		Items []apiDelivery `json:"items"`
	}
	expectStatus(t, c.Get("/api/v1/webhooks/"+id.String()+"/deliveries"), http.StatusOK).JSON(&page)
	return page.Items
}

// waitSettled waits for n deliveries of a webhook, all succeeded or failed.
func waitSettled(t *testing.T, c *apitest.Client, id uuid.UUID, n int, timeout time.Duration) []apiDelivery {
	t.Helper()
	var ds []apiDelivery
	testkit.Eventually(t, timeout, func() error {
		ds = deliveriesOf(t, c, id)
		ok := len(ds) == n
		for _, d := range ds {
			ok = ok && d.settled()
		}
		if !ok {
			return fmt.Errorf("deliveries of %s never settled: %v", id, ds)
		}
		return nil
	})
	return ds
}

// hookHit is one request a receiver got.
type hookHit struct {
	header http.Header
	body   []byte
}

// hookReceiver is a webhook endpoint on 127.0.0.1 answering the statuses
// given in turn (the last repeats), or as handle says.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	hits     []hookHit
	statuses []int
	handle   http.HandlerFunc
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	rc := &hookReceiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.hits)
		rc.hits = append(rc.hits, hookHit{header: r.Header.Clone(), body: body})
		status := http.StatusNoContent
		if len(rc.statuses) > 0 {
			status = rc.statuses[min(n, len(rc.statuses)-1)]
		}
		handle := rc.handle
		rc.mu.Unlock()
		if handle != nil {
			handle(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) got() []hookHit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookHit(nil), rc.hits...)
}

// waitHits waits until the receiver got n requests.
func (rc *hookReceiver) waitHits(t *testing.T, n int, timeout time.Duration) []hookHit {
	t.Helper()
	var hits []hookHit
	testkit.Eventually(t, timeout, func() error {
		if hits = rc.got(); len(hits) < n {
			return fmt.Errorf("receiver got %d requests, want %d", len(hits), n)
		}
		return nil
	})
	return hits
}

// verifyWebhook checks a request as the Standard Webhooks spec tells a
// consumer to, written from the spec (not from Downlink's signer): sign
// "{webhook-id}.{webhook-timestamp}.{raw body}" with HMAC-SHA256 keyed by
// the base64 part of the secret after "whsec_", find that among the
// space-separated "v1,<base64>" signatures, and refuse timestamps more
// than five minutes away.
func verifyWebhook(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return fmt.Errorf("bad headers: id %q timestamp %q", id, ts)
	}
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s away", d)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", id, ts)
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		if v, b64, ok := strings.Cut(s, ","); ok && v == "v1" {
			if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return fmt.Errorf("no valid signature in %q", sigs)
}

// checkWebhookPayload validates a delivered body against openapi.yaml's
// WebhookPayload and returns it decoded.
func checkWebhookPayload(t *testing.T, body []byte) map[string]any {
	t.Helper()
	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if err := contract.Doc.Components.Schemas["WebhookPayload"].Value.VisitJSON(v); err != nil {
		t.Fatalf("payload does not match WebhookPayload: %v\n%s", err, body)
	}
	return v.(map[string]any)
}

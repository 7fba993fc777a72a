package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
)

// TestEventStreamResume: a client whose stream drops comes back with the
// id of the last event it read (the Last-Event-ID header, or
// ?last_event_id= for a new EventSource) and receives exactly the events a
// stream that stayed open saw meanwhile, in the same order, then live ones;
// an id the server cannot resume from gets events.resync first.
func TestEventStreamResume(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	user := newAccount(t, env, authz.RoleUser)
	c, _ := signIn(t, env, user)
	witness := openSSE(t, env.URL, c, "")
	dropped := openSSE(t, env.URL, c, "")
	testkit.EventuallyTrue(t, 5*time.Second, "the opening id", func() bool { return dropped.LastID() != "" })

	a := submitURL(t, c, "http://127.0.0.1:9/a.mp4")
	seen := dropped.WaitFor(5*time.Second, "a's download.created", func(e sseEvent) bool { return e.Type == "download.created" })
	dropped.Close()
	b := submitURL(t, c, "http://127.0.0.1:9/b.mp4")
	expectStatus(t, c.Post("/api/v1/downloads/"+b.ID.String()+"/cancel", nil), http.StatusOK)
	expectStatus(t, c.Do(http.MethodDelete, "/api/v1/downloads/"+a.ID.String(), nil), http.StatusNoContent)
	witness.WaitFor(5*time.Second, "a's download.deleted", func(e sseEvent) bool { return e.Type == "download.deleted" })

	// What the witness saw after the last event the dropped stream read.
	all := witness.Events()
	i := slices.IndexFunc(all, func(e sseEvent) bool { return e.ID == seen.ID })
	if i < 0 {
		t.Fatalf("the witness never saw %s", seen.ID)
	}
	missed := all[i+1:]
	if len(missed) < 3 {
		t.Fatalf("missed %d events, want b's created and canceled and a's deleted at least", len(missed))
	}
	same := func(got, want []sseEvent) bool {
		return slices.EqualFunc(got, want, func(g, w sseEvent) bool {
			return g.ID == w.ID && g.Type == w.Type && string(g.Data) == string(w.Data)
		})
	}
	for name, open := range map[string]func() *sseClient{
		"header": func() *sseClient {
			return openSSEWith(t, env.URL+"/api/v1/events", c.Jar(), http.Header{"Last-Event-ID": {seen.ID}})
		},
		"query": func() *sseClient { return openSSE(t, env.URL, c, "?last_event_id="+url.QueryEscape(seen.ID)) },
	} {
		back := open()
		last := missed[len(missed)-1]
		back.WaitFor(5*time.Second, name+": the last missed event", func(e sseEvent) bool { return e.ID == last.ID })
		if got := back.Events(); !same(got, missed) {
			t.Errorf("%s: replayed %v, want %v", name, got, missed)
		}
		back.Close()
	}

	stale := openSSEWith(t, env.URL+"/api/v1/events", c.Jar(), http.Header{"Last-Event-ID": {"01931c2f-0b1c-7d2e-9f30-4a5b6c7d8e9f"}})
	first := stale.WaitFor(5*time.Second, "events.resync", func(sseEvent) bool { return true })
	if first.Type != "events.resync" || string(first.Data) != `{"reason":"client_reconnected"}` || first.ID == "" {
		t.Errorf("unknown id: first event %s %s id %q, want events.resync with where the stream continues", first.Type, first.Data, first.ID)
	}
}

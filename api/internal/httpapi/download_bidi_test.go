package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestTitlesLoseBidiControls: a page titled with a right-to-left override
// ("Invoice\u202Egpj.exe" reads "Invoiceexe.jpg") shows its title without
// bidirectional controls in the probe, in the download and in the file
// name — what the dashboard renders.
func TestTitlesLoseBidiControls(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	page := srv.PageURL(testmedia.PathVideo) + "&title=" + "Invoice%E2%80%AEgpj.exe%E2%81%A6x%E2%81%A9"
	const want = "Invoicegpj.exex"

	var probe struct {
		Title *string `json:"title"`
	}
	expectStatus(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": page}), http.StatusOK).JSON(&probe)
	if probe.Title == nil || !strings.HasPrefix(*probe.Title, want) {
		t.Fatalf("probe title %q, want it to start %q", deref(probe.Title), want)
	}

	d := waitCompleted(t, w.env, w.c, submitURL(t, w.c, page).ID)
	raw := string(expectStatus(t, w.c.Get("/api/v1/downloads/"+d.ID.String()), http.StatusOK).Body)
	if strings.Contains(raw, "\u202e") || strings.Contains(raw, `\u202e`) || strings.Contains(raw, "\u2066") ||
		!strings.Contains(raw, `"title":"`+want) {
		t.Fatalf("download %s", raw)
	}
	if len(d.Files) != 1 || strings.ContainsAny(d.Files[0].Name, "\u202e\u2066\u2069") {
		t.Fatalf("files %+v", d.Files)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

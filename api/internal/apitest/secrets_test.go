package apitest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestSecretLeaksAreFound proves the suite-wide check can fail: a secret
// the redaction cannot recognise, logged on purpose, is found in the
// output and the table; one noted from traffic is registered; a setup
// token in the table is found although printing it is allowed.
func TestSecretLeaksAreFound(t *testing.T) {
	e := New(t)
	planted := "plain-" + uuid.NewString()
	e.Secret(planted)
	e.App.Log.Info("a careless line", "note", planted)
	e.Client().Post("/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "noted-password-1"})
	e.Client().Post("/api/v1/auth/login", map[string]string{"email": "nobody@example.com", "password": "short"})
	e.Stop()

	leaks := e.SecretLeaks()
	if len(leaks) != 2 || !strings.Contains(leaks[0], "output") || !strings.Contains(leaks[1], "logs table") {
		t.Fatalf("leaks %q, want the planted secret in the output and the table", leaks)
	}
	if strings.Contains(strings.Join(leaks, ""), planted) {
		t.Fatal("the failure message shows the whole secret")
	}
	everywhere, _ := e.secrets.list()
	if !slices.Contains(everywhere, "noted-password-1") || slices.Contains(everywhere, "short") {
		t.Fatalf("noted secrets %q", everywhere)
	}
	printed := printedSetupTokens(e.Logs())
	if len(printed) == 0 {
		t.Fatal("no setup token printed on a fresh server")
	}

	db, err := e.Cfg.Database()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e.secrets = secretBook{} // the planted secret was found; let the cleanup pass
	if leaks := e.SecretLeaks(); len(leaks) != 0 {
		t.Fatalf("without secrets: %q", leaks)
	}
	id := uuid.New()
	if err := st.DB.Exec(`INSERT INTO logs (id, logged_at, level, source, message, attrs, audit) VALUES (?, CURRENT_TIMESTAMP, 0, 'system', ?, '{}', false)`,
		id, "token "+printed[0]).Error; err != nil {
		t.Fatal(err)
	}
	leaks = e.SecretLeaks()
	if len(leaks) != 1 || !strings.Contains(leaks[0], "logs table") {
		t.Fatalf("leaks %q, want the setup token in the table", leaks)
	}
	if err := st.DB.Exec(`DELETE FROM logs WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
}

func TestSecretsNotedFromTraffic(t *testing.T) {
	e := &Env{}
	req, _ := http.NewRequest(http.MethodPost, "http://x/api/v1/auth/setup", nil)
	req.Header.Set("Authorization", "Bearer dlk_from_header_123")
	req.Header.Set("Cookie", "downlink_session=cookie-value-123")
	resp := &http.Response{Header: http.Header{"Set-Cookie": {"downlink_session=set-cookie-value-1; Path=/"},
		"Content-Type": {"application/json"}}}
	e.noteSecrets(req, []byte(`{"token":"setup-token-123","password":"setup-password-1"}`), resp,
		[]byte(`{"key":"dlk_created_key_123","nested":{"options":{"client_secret":"client-secret-1","secret":"[REDACTED]"}},`+
			`"settings":[{"key":"platform:youtube"},{"password":"********"}],`+
			`"cookies":"# Netscape\n.example.com\tTRUE\t/\tTRUE\t0\tSID\tcookie-file-value-1\n"}`))
	everywhere, tableOnly := e.secrets.list()
	for _, want := range []string{"dlk_from_header_123", "cookie-value-123", "set-cookie-value-1", "setup-password-1",
		"dlk_created_key_123", "client-secret-1", "cookie-file-value-1"} {
		if !slices.Contains(everywhere, want) {
			t.Errorf("%q not noted (noted %q)", want, everywhere)
		}
	}
	for _, not := range []string{"platform:youtube", "[REDACTED]", "********"} {
		if slices.Contains(everywhere, not) {
			t.Errorf("%q noted as a secret", not)
		}
	}
	if !slices.Equal(tableOnly, []string{"setup-token-123"}) || slices.Contains(everywhere, "setup-token-123") {
		t.Errorf("setup token noted as %q / %q, want table-only", tableOnly, everywhere)
	}
}

package httpapi_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
)

// idp is a real OIDC server (mockoidc) on 127.0.0.1 with a hook that can
// rewrite the ID token its token endpoint hands out.
type idp struct {
	*mockoidc.MockOIDC
	// tamper, when set, rewrites the claims of the next ID tokens and says
	// which key signs them.
	tamper atomic.Pointer[func(jwt.MapClaims) *rsa.PrivateKey]
	// discoveries counts fetches of the discovery document.
	discoveries atomic.Int64
	// browser follows the authorize redirect like a user's browser would
	// (mockoidc signs in its queued user without a form).
	browser *http.Client
}

func startIDP(t *testing.T) *idp {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{MockOIDC: m, browser: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	// mockoidc keeps its sessions in a plain map: one request at a time.
	var mu sync.Mutex
	_ = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	_ = m.AddMiddleware(p.rewriteIDToken)
	_ = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == mockoidc.DiscoveryEndpoint {
				p.discoveries.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return p
}

// withIDP configures the app to use p as its OIDC provider, with sign-up
// open to every identity.
func withIDP(p *idp, adminEmails ...string) apitest.Option {
	return withIDPConfig(p, func(c *config.Config) {
		c.OpenSignup = true
		c.AdminEmails = adminEmails
	})
}

// withIDPConfig configures the app to use p as its OIDC provider, then
// edit (the sign-up rules) on top of the defaults.
func withIDPConfig(p *idp, edit func(*config.Config)) apitest.Option {
	return apitest.WithConfig(func(c *config.Config) {
		cfg := p.Config()
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = cfg.Issuer, cfg.ClientID, cfg.ClientSecret
		c.OIDCName = "Test IdP"
		edit(c)
	})
}

// setTamper makes the token endpoint re-sign ID tokens after f edits
// their claims (nil: hand them out as issued).
func (p *idp) setTamper(f func(jwt.MapClaims) *rsa.PrivateKey) {
	if f == nil {
		p.tamper.Store(nil)
		return
	}
	p.tamper.Store(&f)
}

func (p *idp) rewriteIDToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := p.tamper.Load()
		if f == nil || r.URL.Path != mockoidc.TokenEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["id_token"] == nil {
			copyResponse(w, rec)
			return
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(body["id_token"].(string), claims); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		key := (*f)(claims)
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		kid, _ := p.Keypair.KeyID()
		tok.Header["kid"] = kid // the real key's id, whatever key signs
		signed, err := tok.SignedString(key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body["id_token"] = signed
		out, _ := json.Marshal(body)
		rec.Body = bytes.NewBuffer(out)
		rec.Header().Del("Content-Length")
		copyResponse(w, rec)
	})
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// otherKey is an RSA key the IdP never published.
var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// oidcAttempt is one login started in a browser and authorized at the IdP.
type oidcAttempt struct {
	authorize *url.URL // where the login redirected the browser
	prelogin  *http.Cookie
	callback  *url.URL // where the IdP sent the browser back
}

// startOIDCLogin asks the app to start a login and checks the redirect.
func startOIDCLogin(t *testing.T, env *apitest.Env, p *idp, browser *apitest.Client, returnTo string) *oidcAttempt {
	t.Helper()
	path := "/api/v1/auth/oidc/oidc/login"
	if returnTo != "" {
		path += "?return_to=" + url.QueryEscape(returnTo)
	}
	r := expectStatus(t, browser.Get(path), http.StatusFound)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), p.AuthorizationEndpoint()+"?") {
		t.Fatalf("login redirected to %s, want %s", loc, p.AuthorizationEndpoint())
	}
	q := loc.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 32 {
			t.Fatalf("authorize URL %s: %s %q is missing or short", loc, k, q.Get(k))
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" ||
		!strings.Contains(q.Get("scope"), "openid") || q.Get("redirect_uri") != env.URL+"/api/v1/auth/oidc/oidc/callback" {
		t.Fatalf("authorize URL %s", loc)
	}
	a := &oidcAttempt{authorize: loc}
	for _, raw := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(raw); err == nil && c.Name == "downlink_prelogin" {
			a.prelogin = c
		}
	}
	if a.prelogin == nil || !a.prelogin.HttpOnly || a.prelogin.MaxAge <= 0 || strings.Contains(a.prelogin.Value, q.Get("state")) {
		t.Fatalf("pre-login cookie %+v", a.prelogin)
	}
	if findSessionCookie(r) != nil {
		t.Fatal("starting a login set a session cookie")
	}
	return a
}

// signInAtIDP follows the authorize URL at the IdP (signing user in) and
// records where the IdP sends the browser back.
func (a *oidcAttempt) signInAtIDP(t *testing.T, p *idp, user *mockoidc.MockUser) {
	t.Helper()
	if user != nil {
		p.QueueUser(user)
	}
	resp, err := p.browser.Get(a.authorize.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("IdP authorize answered %d", resp.StatusCode)
	}
	if a.callback, err = url.Parse(resp.Header.Get("Location")); err != nil {
		t.Fatal(err)
	}
}

// callbackPath is the callback's path and query, edited by edit.
func (a *oidcAttempt) callbackPath(edit func(url.Values)) string {
	q := a.callback.Query()
	if edit != nil {
		edit(q)
	}
	return a.callback.Path + "?" + q.Encode()
}

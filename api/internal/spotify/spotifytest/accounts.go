package spotifytest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/spotify"
)

// The accounts service: GET /authorize (the consent page, answered at once
// for the signed-in user) and POST /api/token (client_credentials,
// authorization_code with PKCE, refresh_token), as
// developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow
// describes them.

// User is an account of the stand-in.
type User struct {
	ID          string
	DisplayName string
	// Product is "premium" or "free".
	Product string
}

// PremiumMessage is the body (plain text, 159 bytes) Spotify sends with
// the 403 of every Web API call while the app's owner has no Premium.
const PremiumMessage = "Active premium subscription required for the owner of the app. When the subscription status changes, it can take a few hours before requests are allowed again."

type codeGrant struct {
	user, clientID, redirectURI, challenge, scope string
	expires                                       time.Time
}

type refreshGrant struct{ user, clientID, scope string }

type playlistAccess struct {
	owner   string // user id
	private bool
}

// AddUser registers an account that can sign in at /authorize.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// SignIn makes userID the person who approves at /authorize.
func (s *Server) SignIn(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signedIn = userID
}

// DenyNext makes the next /authorize answer as a user who clicked
// "Cancel": a redirect with error=access_denied.
func (s *Server) DenyNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyNext = true
}

// RevokeGrants forgets every refresh token and user access token, as when
// a user removes the app from their account.
func (s *Server) RevokeGrants() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
	for tok := range s.tokenUsers {
		delete(s.tokens, tok)
	}
	clear(s.tokenUsers)
}

// RequirePremium makes every Web API call answer 403 with PremiumMessage
// (the app's owner let Premium lapse), or stops it.
func (s *Server) RequirePremium(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.premium = on
}

// AddPlaylistOwnedBy registers a playlist owned by the user ownerID;
// private ones have no embed page and are readable only with that user's
// token.
func (s *Server) AddPlaylistOwnedBy(c spotify.Collection, ownerID string, private bool) spotify.Collection {
	c = s.AddPlaylist(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[c.ID] = playlistAccess{owner: ownerID, private: private}
	if p := s.playlists[c.ID]; p != nil {
		owner, _ := p["owner"].(map[string]any)
		owner["id"] = ownerID
		p["public"] = !private
	}
	return c
}

// Grants counts the token requests served with grant_type (e.g.
// "refresh_token").
func (s *Server) Grants(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grantType]
}

func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("client_id") != s.opts.ClientID {
		http.Error(w, "INVALID_CLIENT: Invalid client", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Host == "" || (s.opts.RedirectURI != "" && q.Get("redirect_uri") != s.opts.RedirectURI) {
		http.Error(w, "INVALID_CLIENT: Invalid redirect URI", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request")
	case s.denyNext || s.signedIn == "":
		s.denyNext = false
		back.Set("error", "access_denied")
	default:
		code := randomString()
		s.codes[code] = codeGrant{user: s.signedIn, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), scope: q.Get("scope"), expires: time.Now().Add(10 * time.Minute)}
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_request", "POST a form"))
		return
	}
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	s.grants[grant]++
	s.mu.Unlock()
	id, secret, basic := r.BasicAuth()
	if !basic {
		id = r.PostForm.Get("client_id")
	}
	switch {
	case id != s.opts.ClientID || (basic && secret != s.opts.ClientSecret):
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_client", "Invalid client"))
	case grant == "client_credentials":
		if !basic {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_client", "Invalid client secret"))
			return
		}
		writeJSON(w, http.StatusOK, s.grant("", ""))
	case grant == "authorization_code":
		s.exchangeCode(w, r.PostForm, id)
	case grant == "refresh_token":
		s.mu.Lock()
		g, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if ok {
			delete(s.refresh, r.PostForm.Get("refresh_token")) // rotated: the old one is spent
		}
		s.mu.Unlock()
		if !ok || g.clientID != id {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Refresh token revoked"))
			return
		}
		writeJSON(w, http.StatusOK, s.grant(g.user, g.scope))
	default:
		writeJSON(w, http.StatusBadRequest, oauthError("unsupported_grant_type", "grant_type must be client_credentials, authorization_code or refresh_token"))
	}
}

func (s *Server) exchangeCode(w http.ResponseWriter, form url.Values, clientID string) {
	s.mu.Lock()
	g, ok := s.codes[form.Get("code")]
	delete(s.codes, form.Get("code")) // a code is used once
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(form.Get("code_verifier")))
	switch {
	case !ok || time.Now().After(g.expires) || g.clientID != clientID:
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Invalid authorization code"))
	case g.redirectURI != form.Get("redirect_uri"):
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Invalid redirect URI"))
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "code_verifier was incorrect"))
	default:
		writeJSON(w, http.StatusOK, s.grant(g.user, g.scope))
	}
}

// grant issues an access token (for user, or the app when user is "")
// and, for a user, a new refresh token.
func (s *Server) grant(user, scope string) map[string]any {
	tok := "standin-" + randomString()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = time.Now().Add(s.opts.TokenLifetime)
	out := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(s.opts.TokenLifetime / time.Second)}
	if user != "" {
		s.tokenUsers[tok] = user
		rt := "refresh-" + randomString()
		s.refresh[rt] = refreshGrant{user: user, clientID: s.opts.ClientID, scope: scope}
		out["refresh_token"], out["scope"] = rt, scope
	}
	return out
}

func oauthError(code, desc string) map[string]string {
	return map[string]string{"error": code, "error_description": desc}
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// userOf returns the user a request's token belongs to ("" for an app
// token).
func (s *Server) userOf(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenUsers[tok]
}

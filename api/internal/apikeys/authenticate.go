package apikeys

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// Authentication failures. All are 401 (openapi.yaml lists an address
// outside the key's allow-list among them) except too many failures from
// one IP (429).
var (
	ErrInvalidKey = problem.New(http.StatusUnauthorized, "Invalid API key").
			WithDetail("The API key is not valid.").WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)
	ErrKeyRevoked = problem.New(http.StatusUnauthorized, "API key revoked").
			WithDetail("This API key was revoked.").WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)
	ErrKeyExpired = problem.New(http.StatusUnauthorized, "API key expired").
			WithDetail("This API key has expired.").WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)
	ErrOwnerDisabled = problem.New(http.StatusUnauthorized, "API key owner disabled").
				WithDetail("The account that owns this API key is disabled.").WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)
	ErrKeyInQuery = problem.New(http.StatusUnauthorized, "API key in the query string").
			WithDetail("API keys are never accepted in the URL (it ends up in logs and browser history). Send 'Authorization: Bearer dlk_…' or 'X-API-Key: dlk_…'.").
			WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_request"`)
	ErrIPNotAllowed = problem.New(http.StatusUnauthorized, "Address not allowed").
			WithDetail("This API key may not be used from your address.").WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)
	ErrTooManyFailures = problem.New(http.StatusTooManyRequests, "Too many failed authentications")
)

// Credential returns the key a request carries in its headers, and
// whether it carries one at all.
func Credential(r *http.Request) (string, bool) {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k, true
	}
	auth := r.Header.Get("Authorization")
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:]), true
	}
	return "", false
}

// keyInQuery reports whether the URL carries something that looks like a
// key: such requests are refused (and the URL's query is never logged).
// Names are compared without case and values after unescaping, so
// ?API_KEY= or dlk%5F… do not slip through.
func keyInQuery(r *http.Request) bool {
	raw := r.URL.RawQuery
	if raw == "" {
		return false
	}
	if strings.Contains(raw, Prefix) {
		return true
	}
	for name, values := range r.URL.Query() {
		switch strings.ToLower(name) {
		case "api_key", "apikey", "api-key", "x-api-key", "access_token":
			return true
		}
		for _, v := range values {
			if strings.Contains(v, Prefix) {
				return true
			}
		}
	}
	return false
}

// authRow is a key joined with its owner's current standing.
type authRow struct {
	ID                 uuid.UUID
	UserID             uuid.UUID
	KeyHash            string
	Scopes             string
	ExpiresAt          *time.Time
	RevokedAt          *time.Time
	RateLimitPerMinute int
	DailyDownloadQuota *int
	AllowedIPs         string
	Email              string
	Name               string
	Role               string
	Disabled           bool
}

// Authenticate implements the HTTP layer's Authenticator for API keys.
// A malformed key (bad checksum) is refused without touching the database.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (*authz.Principal, error) {
	if keyInQuery(r) {
		return nil, ErrKeyInQuery
	}
	key, ok := Credential(r)
	if !ok {
		return nil, nil
	}
	ip := authz.ClientIP(ctx)
	if wait, blocked := s.limiter.failuresBlocked(ip); blocked {
		return nil, ErrTooManyFailures.WithDetail("Too many failed authentications from your address; wait %ds.", wait).
			WithHeader("Retry-After", strconv.Itoa(wait))
	}
	fail := func(err error) (*authz.Principal, error) {
		s.limiter.countFailure(ip)
		return nil, err
	}
	if !WellFormed(key) {
		return fail(ErrInvalidKey)
	}
	hash := Hash(key)
	var a authRow
	res := s.db.WithContext(ctx).Table("api_keys AS k").
		Select("k.id, k.user_id, k.key_hash, k.scopes, k.expires_at, k.revoked_at, k.rate_limit_per_minute, k.daily_download_quota, k.allowed_ips, u.email, u.name, u.role, u.disabled").
		Joins("JOIN users u ON u.id = k.user_id").
		Where("k.key_hash = ?", hash).Limit(1).Scan(&a)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 || subtle.ConstantTimeCompare([]byte(a.KeyHash), []byte(hash)) != 1 {
		return fail(ErrInvalidKey)
	}
	switch {
	case a.RevokedAt != nil:
		return fail(ErrKeyRevoked)
	case a.ExpiresAt != nil && !a.ExpiresAt.After(s.now()):
		return fail(ErrKeyExpired)
	case a.Disabled:
		return fail(ErrOwnerDisabled)
	}
	if allowed := parseIPs(a.AllowedIPs); len(allowed) > 0 && !ipAllowed(ip, allowed) {
		return fail(ErrIPNotAllowed) // a leaked key tried from elsewhere is throttled too
	}
	s.lastUsed.note(a.ID, ip, s.now())
	p := &authz.Principal{UserID: a.UserID, Email: a.Email, Name: a.Name, Role: authz.Role(a.Role),
		Method: authz.MethodAPIKey, APIKeyID: a.ID, KeyScopes: parseScopes(a.Scopes)}
	ctxLimits := Limits{PerMinute: a.RateLimitPerMinute, DailyDownloads: a.DailyDownloadQuota}
	s.limits.Store(a.ID, ctxLimits)
	return p, nil
}

// Limits are a key's rate limit and daily download quota.
type Limits struct {
	PerMinute      int
	DailyDownloads *int
}

// LimitsOf returns the limits read when key id last authenticated.
func (s *Service) LimitsOf(id uuid.UUID) Limits {
	if v, ok := s.limits.Load(id); ok {
		return v.(Limits)
	}
	return Limits{PerMinute: DefaultRateLimit}
}

func ipAllowed(ip string, allowed []string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, c := range allowed {
		p, err := parsePrefix(c)
		if err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// ErrKeyChanged ends a long-lived request whose key or owner changed since
// it authenticated (scopes, allowed addresses, the owner's role).
var ErrKeyChanged = problem.New(http.StatusUnauthorized, "API key changed").
	WithDetail("This API key or its owner changed since the request began; send it again.").
	WithHeader("WWW-Authenticate", `Bearer realm="downlink", error="invalid_token"`)

// Recheck reports whether a key principal made earlier (for a request that
// is still open, such as an event stream) still stands: the key is not
// revoked or expired, its owner is not disabled and keeps the same role,
// and the key's scopes and allowed addresses still admit the request. It
// counts no use and no failure. Other principals pass.
func (s *Service) Recheck(ctx context.Context, p *authz.Principal) error {
	if p == nil || p.Method != authz.MethodAPIKey {
		return nil
	}
	var a authRow
	res := s.db.WithContext(ctx).Table("api_keys AS k").
		Select("k.id, k.user_id, k.scopes, k.expires_at, k.revoked_at, k.allowed_ips, u.role, u.disabled").
		Joins("JOIN users u ON u.id = k.user_id").
		Where("k.id = ?", p.APIKeyID).Limit(1).Scan(&a)
	if res.Error != nil {
		return res.Error
	}
	switch {
	case res.RowsAffected == 0 || a.RevokedAt != nil:
		return ErrKeyRevoked
	case a.ExpiresAt != nil && !a.ExpiresAt.After(s.now()):
		return ErrKeyExpired
	case a.Disabled:
		return ErrOwnerDisabled
	case authz.Role(a.Role) != p.Role || a.UserID != p.UserID || !slices.Equal(parseScopes(a.Scopes), p.KeyScopes):
		return ErrKeyChanged
	}
	if allowed := parseIPs(a.AllowedIPs); len(allowed) > 0 && !ipAllowed(authz.ClientIP(ctx), allowed) {
		return ErrIPNotAllowed
	}
	return nil
}

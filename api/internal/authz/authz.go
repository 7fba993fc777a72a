// Package authz says who is calling (a Principal: a user through a browser
// session or through an API key) and what they may do (roles and scopes).
// Authentication lives in the auth and apikeys packages; both produce a
// Principal that handlers read from the request context.
package authz

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/problem"
)

// Role is a user's role.
type Role string

// Roles.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUser }

// Scope is one permission an API key can carry.
type Scope string

// Scopes. A browser session holds every scope its role allows.
const (
	ScopeDownloadsRead  Scope = "downloads:read"
	ScopeDownloadsWrite Scope = "downloads:write"
	ScopeFilesRead      Scope = "files:read"
	ScopeFilesWrite     Scope = "files:write"
	ScopeAdminRead      Scope = "admin:read"
	ScopeAdminWrite     Scope = "admin:write"
)

// UserScopes are the scopes any user may hold.
var UserScopes = []Scope{ScopeDownloadsRead, ScopeDownloadsWrite, ScopeFilesRead, ScopeFilesWrite}

// AdminScopes are the scopes only an admin may hold.
var AdminScopes = []Scope{ScopeAdminRead, ScopeAdminWrite}

// AllScopes lists every scope.
var AllScopes = append(append([]Scope{}, UserScopes...), AdminScopes...)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(AllScopes, s) }

// AdminOnly reports whether only an admin's key may hold s.
func (s Scope) AdminOnly() bool { return slices.Contains(AdminScopes, s) }

// ScopesFor returns the scopes a role allows.
func ScopesFor(r Role) []Scope {
	if r == RoleAdmin {
		return AllScopes
	}
	return UserScopes
}

// Method says how a request authenticated.
type Method string

// Authentication methods.
const (
	MethodSession Method = "session"
	MethodAPIKey  Method = "api_key"
)

// Principal is the authenticated caller of one request.
type Principal struct {
	UserID uuid.UUID
	Email  string
	Name   string
	// Role is the user's current role (re-read on every request, so a
	// demotion takes effect at once).
	Role   Role
	Method Method
	// SessionID is set for browser sessions.
	SessionID string
	// APIKeyID and KeyScopes are set for API keys; a key's effective scopes
	// are its own scopes narrowed to what the owner's role allows.
	APIKeyID  uuid.UUID
	KeyScopes []Scope
	// MustChangePassword is set for a session whose user has a temporary
	// password: such a session may only change it (or sign out).
	MustChangePassword bool
}

// IsAdmin reports whether the caller acts as an admin.
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == RoleAdmin }

// Scopes returns what the caller may do now.
func (p *Principal) Scopes() []Scope {
	if p == nil {
		return nil
	}
	allowed := ScopesFor(p.Role)
	if p.Method != MethodAPIKey {
		return allowed
	}
	var out []Scope
	for _, s := range p.KeyScopes {
		if slices.Contains(allowed, s) {
			out = append(out, s)
		}
	}
	return out
}

// Can reports whether the caller holds scope s.
func (p *Principal) Can(s Scope) bool { return slices.Contains(p.Scopes(), s) }

// Act is what a caller wants to do with a row: read it or change it.
type Act int

// Acts.
const (
	Read Act = iota
	Write
)

// MayActOnOthers reports whether the caller may read (or change) rows that
// belong to other users: "admins see all". It is the one check for it.
// An admin's browser session may; an admin's API key may only when the key
// itself holds admin:read (to read) or admin:write (to change) — a key
// scoped to downloads or files acts on its owner's rows only.
func (p *Principal) MayActOnOthers(a Act) bool {
	if !p.IsAdmin() {
		return false
	}
	if a == Write {
		return p.Can(ScopeAdminWrite)
	}
	return p.Can(ScopeAdminRead)
}

// MayAct reports whether the caller may read (or change) a row owned by
// owner: their own rows, or others' when MayActOnOthers allows it.
func (p *Principal) MayAct(a Act, owner uuid.UUID) bool {
	return p != nil && (p.UserID == owner || p.MayActOnOthers(a))
}

// ErrMissingScope refuses a key that lacks a route's or an act's scope.
var ErrMissingScope = problem.New(403, "Missing scope")

// MayChange returns nil when the caller may change a row owned by owner
// that it was allowed to read, and a 403 problem naming admin:write for an
// admin's key that may read other users' rows but not change them.
func (p *Principal) MayChange(owner uuid.UUID) error {
	if p.MayAct(Write, owner) {
		return nil
	}
	return ErrMissingScope.WithDetail("Changing another user's data with an API key needs the %q scope.", ScopeAdminWrite).
		With("required_scope", ScopeAdminWrite)
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the caller, or nil for an anonymous request.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

type ipCtxKey struct{}

// WithClientIP records the caller's IP as the HTTP layer resolved it.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipCtxKey{}, ip)
}

// ClientIP returns the caller's IP ("" outside a request).
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(ipCtxKey{}).(string)
	return ip
}

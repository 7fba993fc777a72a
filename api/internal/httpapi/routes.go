package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// apiPrefix is where the JSON API lives.
const apiPrefix = "/api/v1"

// route is one API endpoint: method, path under /api/v1, who may call it,
// and its handler.
type route struct {
	method  string
	path    string
	access  access
	handler echo.HandlerFunc
}

// routes is the one table of every /api/v1 route, read top to bottom.
func (s *Server) routes() []route {
	return []route{
		// auth: signing in and one's own account
		{http.MethodGet, "/auth/providers", public(), s.getAuthProviders},
		{http.MethodPost, "/auth/login", public(), s.login},
		{http.MethodPost, "/auth/setup", public(), s.completeSetup},
		{http.MethodGet, "/auth/oidc/:provider/login", public(), s.startOIDCLogin},
		{http.MethodGet, "/auth/oidc/:provider/callback", public(), s.handleOIDCCallback},
		{http.MethodPost, "/auth/forgot-password", public(), s.forgotPassword},
		{http.MethodPost, "/auth/invitations/accept", public(), s.acceptInvitation},
		{http.MethodPost, "/auth/password-reset", public(), s.resetPassword},
		{http.MethodPost, "/auth/logout", ownAccount(), s.logout},
		{http.MethodGet, "/auth/me", ownAccount(), s.getMe},
		{http.MethodPatch, "/auth/me", ownAccount(), s.updateMe},
		{http.MethodGet, "/auth/me/preferences", sessionUser(), s.getPreferences},
		{http.MethodPut, "/auth/me/preferences", sessionUser(), s.putPreferences},
		{http.MethodGet, "/auth/sessions", sessionUser(), s.listSessions},
		{http.MethodDelete, "/auth/sessions/:id", sessionUser(), s.deleteSession},

		// users (admin)
		{http.MethodGet, "/users", adminNeeds(authz.ScopeAdminRead), s.listUsers},
		{http.MethodPost, "/users", adminNeeds(authz.ScopeAdminWrite), s.createUser},
		{http.MethodPost, "/users/:id/password-reset", adminNeeds(authz.ScopeAdminWrite), s.createPasswordResetLink},
		{http.MethodPatch, "/users/:id", adminNeeds(authz.ScopeAdminWrite), s.updateUser},
		{http.MethodDelete, "/users/:id/sessions", adminNeeds(authz.ScopeAdminWrite), s.revokeUserSessions},
		{http.MethodGet, "/invitations", adminNeeds(authz.ScopeAdminRead), s.listInvitations},
		{http.MethodPost, "/invitations", adminNeeds(authz.ScopeAdminWrite), s.createInvitation},
		{http.MethodDelete, "/invitations/:id", adminNeeds(authz.ScopeAdminWrite), s.deleteInvitation},

		// api keys (managed from a browser session; admins manage anyone's)
		{http.MethodGet, "/api-keys", sessionUser(), s.listAPIKeys},
		{http.MethodPost, "/api-keys", sessionUser(), s.createAPIKey},
		{http.MethodPatch, "/api-keys/:id", sessionUser(), s.updateAPIKey},
		{http.MethodDelete, "/api-keys/:id", sessionUser(), s.revokeAPIKey},
		{http.MethodGet, "/api-keys/:id/usage", sessionUser(), s.getAPIKeyUsage},

		// downloads
		{http.MethodPost, "/downloads", needs(authz.ScopeDownloadsWrite), s.createDownload},
		{http.MethodGet, "/downloads", needs(authz.ScopeDownloadsRead), s.listDownloads},
		{http.MethodPost, "/downloads/probe", needs(authz.ScopeDownloadsWrite), s.probeDownload},
		{http.MethodGet, "/downloads/:id", needs(authz.ScopeDownloadsRead), s.getDownload},
		{http.MethodDelete, "/downloads/:id", needs(authz.ScopeDownloadsWrite), s.deleteDownload},
		{http.MethodPost, "/downloads/:id/cancel", needs(authz.ScopeDownloadsWrite), s.cancelDownload},
		{http.MethodPost, "/downloads/:id/retry", needs(authz.ScopeDownloadsWrite), s.retryDownload},
		{http.MethodPost, "/downloads/:id/match", needs(authz.ScopeDownloadsWrite), s.matchDownload},

		// subscriptions: followed channels, playlists and feeds (owner-scoped; admins see all)
		{http.MethodGet, "/subscriptions", needs(authz.ScopeDownloadsRead), s.listSubscriptions},
		{http.MethodPost, "/subscriptions", needs(authz.ScopeDownloadsWrite), s.createSubscription},
		{http.MethodGet, "/subscriptions/:id", needs(authz.ScopeDownloadsRead), s.getSubscription},
		{http.MethodPatch, "/subscriptions/:id", needs(authz.ScopeDownloadsWrite), s.updateSubscription},
		{http.MethodDelete, "/subscriptions/:id", needs(authz.ScopeDownloadsWrite), s.deleteSubscription},
		{http.MethodPost, "/subscriptions/:id/check", needs(authz.ScopeDownloadsWrite), s.checkSubscription},

		// live events
		{http.MethodGet, "/events", needs(authz.ScopeDownloadsRead), s.streamEvents},

		// files
		{http.MethodGet, "/files", needs(authz.ScopeFilesRead), s.listFiles},
		{http.MethodGet, "/files/:id", needs(authz.ScopeFilesRead), s.getFile},
		{http.MethodPatch, "/files/:id", needs(authz.ScopeFilesWrite), s.updateFile},
		{http.MethodDelete, "/files/:id", needs(authz.ScopeFilesWrite), s.deleteFile},
		{http.MethodGet, "/files/:id/content", needs(authz.ScopeFilesRead), s.getFileContent},
		{http.MethodGet, "/files/:id/thumbnail", needs(authz.ScopeFilesRead), s.getFileThumbnail},

		// storage and retention
		{http.MethodGet, "/storage", needs(authz.ScopeFilesRead), s.getStorage},
		{http.MethodGet, "/storage/retention-preview", needs(authz.ScopeFilesRead), s.previewRetention},
		{http.MethodPost, "/storage/retention-run", adminNeeds(authz.ScopeAdminWrite), s.runRetention},
		{http.MethodGet, "/storage/orphans", adminNeeds(authz.ScopeAdminRead), s.listOrphanFiles},
		{http.MethodPost, "/storage/relayout", adminNeeds(authz.ScopeAdminWrite), s.startRelayout},
		{http.MethodGet, "/storage/relayout", adminNeeds(authz.ScopeAdminRead), s.getRelayout},

		// platforms: the registry, for detecting and naming them
		{http.MethodGet, "/platforms", needs(authz.ScopeDownloadsRead), s.listPlatforms},

		// stats
		{http.MethodGet, "/stats", needs(authz.ScopeDownloadsRead), s.getStats},

		// system log and audit trail (admin); the live tail is log.appended on /events
		{http.MethodGet, "/logs", adminNeeds(authz.ScopeAdminRead), s.listLogs},

		// settings (admin)
		{http.MethodGet, "/settings", adminNeeds(authz.ScopeAdminRead), s.getSettings},
		{http.MethodPut, "/settings", adminNeeds(authz.ScopeAdminWrite), s.updateSettings},
		{http.MethodGet, "/settings/accounts", adminNeeds(authz.ScopeAdminRead), s.getAccountSettings},
		{http.MethodPut, "/settings/accounts", adminNeeds(authz.ScopeAdminWrite), s.updateAccountSettings},
		{http.MethodPost, "/settings/accounts/test-email", adminNeeds(authz.ScopeAdminWrite), s.testAccountEmail},
		{http.MethodGet, "/settings/platforms", adminNeeds(authz.ScopeAdminRead), s.listPlatformSettings},
		{http.MethodPut, "/settings/platforms/:platform", adminNeeds(authz.ScopeAdminWrite), s.updatePlatformSettings},
		{http.MethodPost, "/settings/platforms/spotify/test", adminNeeds(authz.ScopeAdminWrite), s.testSpotifyConnection},
		{http.MethodGet, "/settings/platforms/spotify/account", adminNeeds(authz.ScopeAdminRead), s.getSpotifyAccount},
		{http.MethodDelete, "/settings/platforms/spotify/account", adminNeeds(authz.ScopeAdminWrite), s.disconnectSpotifyAccount},
		{http.MethodPost, "/settings/platforms/spotify/account/authorize", sessionAdmin(), s.authorizeSpotifyAccount},
		{http.MethodGet, "/settings/platforms/spotify/account/callback", sessionAdmin(), s.spotifyAccountCallback},

		// webhooks (admin)
		{http.MethodGet, "/webhooks", adminNeeds(authz.ScopeAdminRead), s.listWebhooks},
		{http.MethodPost, "/webhooks", adminNeeds(authz.ScopeAdminWrite), s.createWebhook},
		{http.MethodPatch, "/webhooks/:id", adminNeeds(authz.ScopeAdminWrite), s.updateWebhook},
		{http.MethodDelete, "/webhooks/:id", adminNeeds(authz.ScopeAdminWrite), s.deleteWebhook},
		{http.MethodGet, "/webhooks/:id/deliveries", adminNeeds(authz.ScopeAdminRead), s.listWebhookDeliveries},
		{http.MethodPost, "/webhooks/:id/test", adminNeeds(authz.ScopeAdminWrite), s.testWebhook},

		// system
		{http.MethodGet, "/system", needs(authz.ScopeDownloadsRead), s.getSystem},

		// managed yt-dlp (admin): every node's version, the update setting,
		// checks, updates and rollbacks sent to every node, offline installs
		{http.MethodGet, "/system/ytdlp", adminNeeds(authz.ScopeAdminRead), s.getYtdlp},
		{http.MethodPut, "/system/ytdlp/settings", adminNeeds(authz.ScopeAdminWrite), s.updateYtdlpSettings},
		{http.MethodPost, "/system/ytdlp/check", adminNeeds(authz.ScopeAdminWrite), s.checkYtdlp},
		{http.MethodPost, "/system/ytdlp/update", adminNeeds(authz.ScopeAdminWrite), s.updateYtdlp},
		{http.MethodPost, "/system/ytdlp/rollback", adminNeeds(authz.ScopeAdminWrite), s.rollbackYtdlp},
		{http.MethodPost, "/system/ytdlp/install", adminNeeds(authz.ScopeAdminWrite), s.installYtdlp},
	}
}

// Route describes a registered API route (for the contract and
// authorization tests).
type Route struct {
	Method, Path                   string
	Public, AdminOnly, SessionOnly bool
	Scope                          string
	// DuringPasswordChange: open to a session whose password is a
	// temporary one.
	DuringPasswordChange bool
}

// Routes lists the API routes with their access rules; paths use
// OpenAPI's {param} form with the /api/v1 prefix.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.routes() {
		out = append(out, Route{
			Method: r.method, Path: apiPrefix + openAPIPath(r.path),
			Public: r.access.public, AdminOnly: r.access.adminOnly,
			SessionOnly: r.access.sessionOnly, Scope: string(r.access.scope),
			DuringPasswordChange: r.access.duringPasswordChange,
		})
	}
	return out
}

// register mounts the API, the operational endpoints and the SPA.
func (s *Server) register() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics)
	e.GET("/openapi.yaml", s.openAPISpec)
	e.GET("/swagger", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/swagger/") })
	e.GET("/swagger/*", s.swaggerUI())

	api := e.Group(apiPrefix, s.authenticate, s.limitAndCount)
	allowed := map[string][]string{} // path → its methods, in table order
	var paths []string
	for _, r := range s.routes() {
		api.Add(r.method, r.path, r.handler, authorize(r.access))
		if r.method == http.MethodGet {
			// HEAD answers like GET (RFC 9110 §9.3.2); net/http drops the
			// body and keeps the status and headers.
			api.Add(http.MethodHead, r.path, r.handler, authorize(r.access))
		}
		if allowed[r.path] == nil {
			paths = append(paths, r.path)
		}
		allowed[r.path] = append(allowed[r.path], r.method)
	}
	// A known route asked with a method it lacks is a 405 naming the
	// methods it has (RFC 9110 §15.5.6), not the catch-all's 404. These go
	// in before authentication so the answer is the same for everyone.
	for _, path := range paths {
		methods := allowed[path]
		if slices.Contains(methods, http.MethodGet) {
			methods = append(methods, http.MethodHead)
		}
		allow := strings.Join(methods, ", ")
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if !slices.Contains(methods, m) {
				e.Add(m, apiPrefix+path, methodNotAllowed(allow))
			}
		}
	}
	// Unknown API paths are problem+json 404s, never the SPA.
	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
	api.Any("", func(c echo.Context) error { return echo.ErrNotFound })

	e.POST("/share", sharePost)
	e.GET("/*", s.spa)
	e.HEAD("/*", s.spa)
}

// openAPIPath turns Echo's /downloads/:id into OpenAPI's /downloads/{id}.
func openAPIPath(p string) string {
	out := make([]byte, 0, len(p)+2)
	for i := 0; i < len(p); i++ {
		if p[i] == ':' && (i == 0 || p[i-1] == '/') {
			j := i + 1
			for j < len(p) && p[j] != '/' {
				j++
			}
			out = append(out, '{')
			out = append(out, p[i+1:j]...)
			out = append(out, '}')
			i = j - 1
			continue
		}
		out = append(out, p[i])
	}
	return string(out)
}

// methodNotAllowed answers a route asked with a method it lacks.
func methodNotAllowed(allow string) echo.HandlerFunc {
	p := problem.FromStatus(http.StatusMethodNotAllowed).
		WithDetail("This route accepts %s.", allow).
		WithHeader("Allow", allow)
	return func(echo.Context) error { return p }
}

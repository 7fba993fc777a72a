package httpapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/platforms"
)

// platformInfo is openapi.yaml's PlatformInfo: a registry entry and
// whether it takes downloads now.
type platformInfo struct {
	platforms.Descriptor
	Enabled bool `json:"enabled"`
}

// listPlatforms is GET /platforms: the registry the server detects URLs
// with, so the dashboard names and detects platforms the same way.
func (s *Server) listPlatforms(c echo.Context) error {
	enabled := s.enabledPlatforms(c.Request().Context())
	items := []platformInfo{}
	for _, p := range platforms.All() {
		items = append(items, platformInfo{Descriptor: p, Enabled: slices.Contains(enabled, string(p.Name))})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// enabledPlatforms lists the platforms accepting downloads now: the
// settings', else the registry's defaults.
func (s *Server) enabledPlatforms(ctx context.Context) []string {
	if s.deps.EnabledPlatforms != nil {
		return s.deps.EnabledPlatforms(ctx)
	}
	out := []string{}
	for _, p := range platforms.All() {
		if p.Defaults.Enabled {
			out = append(out, string(p.Name))
		}
	}
	return out
}

package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"
)

// openAPISpec serves the API contract.
func (s *Server) openAPISpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", s.deps.Spec)
}

// swaggerUI serves Swagger UI pointed at /openapi.yaml. Its page uses
// inline scripts, so it gets its own, looser CSP.
func (s *Server) swaggerUI() echo.HandlerFunc {
	ui := echoSwagger.EchoWrapHandler(
		// Only our contract: echoSwagger.URL would add it after swag's
		// doc.json and doc.yaml, and the page would load doc.json first.
		func(c *echoSwagger.Config) { c.URLs = []string{"/openapi.yaml"} },
		echoSwagger.PersistAuthorization(true),
		echoSwagger.DeepLinking(true),
	)
	return func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy",
			"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
		if c.Param("*") == "" {
			return c.Redirect(http.StatusFound, "/swagger/index.html")
		}
		return ui(c)
	}
}

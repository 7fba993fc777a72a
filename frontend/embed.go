// Package frontend embeds the built dashboard (Vite's dist/ folder) into
// the Downlink binary. Before `npm run build` dist/ holds only a
// placeholder, and the server shows a page saying how to build the UI.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; Sub cannot fail for it
	}
	return sub
}

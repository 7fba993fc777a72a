package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

var assetRe = regexp.MustCompile(`(?:src|href)="/?(assets/[^"]+\.(?:js|css))"`)

// benchSPA reports the gzip size of what the dashboard's first page loads:
// the scripts and styles index.html references (lazy routes excluded).
func benchSPA(_ context.Context, o options) error {
	dist := filepath.Join(o.repo, "frontend", "dist")
	index, err := os.ReadFile(filepath.Join(dist, "index.html"))
	if err != nil {
		fmt.Print("## SPA\n\nfrontend/dist is not built (run `make ui`).\n\n")
		return nil
	}
	fmt.Println("## SPA initial load")
	fmt.Println()
	fmt.Println("| asset | raw | gzip |")
	fmt.Println("|---|---|---|")
	var rawJS, gzJS int
	for _, m := range assetRe.FindAllStringSubmatch(string(index), -1) {
		b, err := os.ReadFile(filepath.Join(dist, m[1]))
		if err != nil {
			continue
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		fmt.Printf("| %s | %.1f KB | %.1f KB |\n", m[1], float64(len(b))/1000, float64(buf.Len())/1000)
		if filepath.Ext(m[1]) == ".js" {
			rawJS += len(b)
			gzJS += buf.Len()
		}
	}
	fmt.Printf("\nInitial JavaScript: **%.1f KB gzip** (%.1f KB raw).\n\n", float64(gzJS)/1000, float64(rawJS)/1000)
	return nil
}

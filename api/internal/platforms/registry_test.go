package platforms

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/platforms.json from the registry")

// testdata/platforms.json is the registry as GET /api/v1/platforms serves it
// (less the enabled switch): the dashboard's tests detect platforms with it.
// It must be the registry; `go test ./api/internal/platforms -update`
// rewrites it after a change.
func TestRegistryFile(t *testing.T) {
	want, err := json.MarshalIndent(All(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	path := filepath.Join("testdata", "platforms.json")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s is not the registry; run go test ./api/internal/platforms -update", path)
	}
}

// detectCases are testdata/detect.json: inputs and the platform they
// belong to. The dashboard's detectPlatform runs the same file (Vitest),
// with testdata/platforms.json as its table.
type sharedCase struct {
	Input    string `json:"input"`
	Platform string `json:"platform"`
}

func TestDetectSharedCases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "detect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []sharedCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		if got := DetectString(c.Input).Platform; string(got) != c.Platform {
			t.Errorf("DetectString(%q).Platform = %s, want %s", c.Input, got, c.Platform)
		}
	}
	for _, d := range All() {
		if d.Name != Generic && len(d.Hosts) == 0 && len(d.Schemes) == 0 {
			t.Errorf("%s has neither hosts nor schemes: no URL can be detected as it", d.Name)
		}
	}
}

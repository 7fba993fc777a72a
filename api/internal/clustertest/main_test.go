package clustertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/store/storetest"
)

// binary is the downlink executable TestMain built; empty with -short.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		bin, err := build()
		if err != nil {
			fmt.Fprintln(os.Stderr, "clustertest:", err)
			os.Exit(1)
		}
		binary = bin
	}
	storetest.Main(m)
}

// build compiles the binary into a temp folder removed at exit by the OS's
// temp cleaning; go's build cache makes a second build cheap.
func build() (string, error) {
	dir, err := os.MkdirTemp("", "downlink-clustertest-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "downlink")
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building the binary needs the go command in PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "build", "-ldflags=-s -w", "-o", bin, "github.com/downlink/downlink/api/cmd/downlink")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

func needBinary(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("cluster tests start the real binary; skipped with -short")
	}
}

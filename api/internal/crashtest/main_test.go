package crashtest

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

// buildTimeout bounds the one go build of the binary on a busy machine.
const buildTimeout = 10 * time.Minute

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		bin, err := build()
		if err != nil {
			fmt.Fprintln(os.Stderr, "crashtest:", err)
			os.Exit(1)
		}
		binary = bin
	}
	storetest.Main(m)
}

// build compiles the downlink binary next to the test binary, in go test's
// work folder, which go test removes afterwards.
func build() (string, error) {
	dir := filepath.Dir(os.Args[0])
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
	} else if dir, err = os.MkdirTemp("", "downlink-crashtest-"); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "downlink")
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building the binary needs the go command in PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, gobin, "build", "-ldflags=-s -w", "-o", bin, "github.com/downlink/downlink/api/cmd/downlink")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "crashtest: built %s in %v\n", bin, time.Since(start).Round(time.Millisecond))
	return bin, nil
}

// needBinary skips the test under -short.
func needBinary(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("crash tests start the real binary; skipped with -short")
	}
}

package ytdlp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vendoredEJS returns the folder of the installed yt-dlp's vendored EJS
// scripts (yt.solver.core.js, yt.solver.deno.lib.js), found through the
// Python that runs it, as deploy/install-deps.sh finds it.
func vendoredEJS(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("yt-dlp")
	if err != nil {
		t.Fatalf("yt-dlp: %v", err)
	}
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := bufio.NewReader(f).ReadString('\n')
	py := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(py) == 0 || !strings.Contains(py[0], "python") {
		t.Skipf("%s is not a Python script (a standalone yt-dlp bundles its scripts)", bin)
	}
	out, err := exec.Command(py[0], "-c",
		"import os, yt_dlp.extractor.youtube.jsc._builtin.vendor as v; print(os.path.dirname(v.__file__))").Output()
	if err != nil {
		t.Fatalf("no vendored EJS scripts beside %s: %v", bin, err)
	}
	return strings.TrimSpace(string(out))
}

// The EJS solver loads offline: the vendored core script runs under the
// installed Deno on the module cache deploy/install-deps.sh warmed, with
// npm unreachable (a proxy that refuses every connection) and Deno
// limited to its cache, as yt-dlp runs it. A solver error for the
// synthetic player is fine; a module-resolution or permission failure is
// not.
func TestEJSSolverOffline(t *testing.T) {
	rt, err := ResolveJSRuntime("", "")
	if err != nil || rt.Path == "" || rt.CacheDir == "" {
		t.Fatalf("no Deno with a warm cache in %s (run deploy/install-deps.sh): %+v %v", DefaultDenoHome, rt, err)
	}
	dir := vendoredEJS(t)
	lib, err := os.ReadFile(filepath.Join(dir, "yt.solver.deno.lib.js"))
	if err != nil {
		t.Fatal(err)
	}
	core, err := os.ReadFile(filepath.Join(dir, "yt.solver.core.js"))
	if err != nil {
		t.Fatal(err)
	}
	input := `{"type":"player","player":"var a = 1;","requests":[{"type":"n","challenges":["ABCDEFGH"]}],"output_preprocessed":false}`
	stdin := string(lib) + "\nObject.assign(globalThis, lib);\n" + string(core) + "\nconsole.log(JSON.stringify(jsc(" + input + ")));\n"

	dead, err := closingListener()
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// deno.py's options for the npm lib with a warm cache.
	cmd := exec.CommandContext(ctx, rt.Path, "run", "--ext=js", "--no-code-cache", "--no-prompt", "--no-remote",
		"--no-lock", "--node-modules-dir=none", "--no-config", "--cached-only", "-")
	proxy := "http://" + dead.Addr().String()
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "DENO_DIR=" + rt.CacheDir,
		"HTTP_PROXY=" + proxy, "HTTPS_PROXY=" + proxy}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	errText := stderr.String()
	for _, bad := range []string{"not found in cache", "Module not found", "Requires net access", "Requires read access",
		"NotCapable", "PermissionDenied", "Import '", "Relative import path"} {
		if strings.Contains(errText, bad) {
			t.Fatalf("the solver did not load offline (%s): %s", bad, clipTest(errText))
		}
	}
	if runErr != nil {
		// The synthetic player is no YouTube player: the solver, once loaded,
		// rejects it. That proves the modules resolved.
		if !strings.Contains(errText, "Uncaught") {
			t.Fatalf("deno failed (%v) before the solver ran: %s", runErr, clipTest(errText))
		}
		t.Logf("the solver loaded and rejected the synthetic player: %s", clipTest(errText))
		return
	}
	var out struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil || (out.Type != "result" && out.Type != "error") {
		t.Fatalf("solver output %q (%v)", clipTest(stdout.String()), err)
	}
	t.Logf("solver answered %q for the synthetic player: %s", out.Type, clipTest(stdout.String()))
}

func clipTest(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

package ytdlp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// JSRuntime is the JavaScript runtime yt-dlp's YouTube challenge solver
// (EJS) runs on. Downlink always names it: --no-js-runtimes, then
// --js-runtimes NAME[:PATH], so what runs is what the admin chose and not
// whatever yt-dlp finds first.
type JSRuntime struct {
	// Name is deno, node, bun or quickjs; JSRuntimeNone turns every
	// runtime off. Empty: no flag at all (yt-dlp's own default, deno on
	// PATH); the app always resolves one.
	Name string
	// Path is the runtime's executable; empty: yt-dlp looks it up in the
	// child's PATH.
	Path string
	// CacheDir is Deno's module cache (DENO_DIR), warmed at install time
	// with the solver's npm imports so solving needs no network. Deno only.
	CacheDir string
}

// JSRuntimeNone disables every JavaScript runtime (DOWNLINK_JS_RUNTIME=none).
const JSRuntimeNone = "none"

// JSRuntimeNames are the runtimes yt-dlp's --js-runtimes knows.
var JSRuntimeNames = []string{"deno", "node", "bun", "quickjs"}

// DefaultDenoHome is where deploy/install-deps.sh puts Deno
// (DenoHome/deno) and its warm module cache (DenoHome/cache).
const DefaultDenoHome = "/usr/local/lib/downlink/deno"

// ParseJSRuntime reads DOWNLINK_JS_RUNTIME: "" (the default), "none", or
// NAME[:PATH] with NAME one of JSRuntimeNames and PATH absolute.
func ParseJSRuntime(spec string) (JSRuntime, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return JSRuntime{}, nil
	}
	if spec == JSRuntimeNone {
		return JSRuntime{Name: JSRuntimeNone}, nil
	}
	name, path, _ := strings.Cut(spec, ":")
	if !slices.Contains(JSRuntimeNames, name) {
		return JSRuntime{}, fmt.Errorf("unknown JavaScript runtime %q: want one of %s (each with an optional :PATH) or none",
			name, strings.Join(JSRuntimeNames, ", "))
	}
	if path != "" && (!filepath.IsAbs(path) || strings.ContainsAny(path, ",\n")) {
		return JSRuntime{}, fmt.Errorf("JavaScript runtime path %q must be absolute", path)
	}
	return JSRuntime{Name: name, Path: path}, nil
}

// ResolveJSRuntime turns DOWNLINK_JS_RUNTIME into the runtime every yt-dlp
// command names. The default is deno: denoHome/deno (where install-deps
// puts it), else deno on PATH, else plain "deno" (yt-dlp then reports it
// unavailable, and the solver state says so). A runtime named without a
// path is looked up the same way; deno gets denoHome/cache as DENO_DIR
// when that folder exists.
func ResolveJSRuntime(spec, denoHome string) (JSRuntime, error) {
	rt, err := ParseJSRuntime(spec)
	if err != nil {
		return rt, err
	}
	if denoHome == "" {
		denoHome = DefaultDenoHome
	}
	if rt.Name == "" {
		rt.Name = "deno"
	}
	if rt.Name == JSRuntimeNone {
		return rt, nil
	}
	if rt.Path == "" {
		rt.Path = lookRuntime(rt.Name, denoHome)
	}
	if rt.Name == "deno" {
		if st, err := os.Stat(filepath.Join(denoHome, "cache")); err == nil && st.IsDir() {
			rt.CacheDir = filepath.Join(denoHome, "cache")
		}
	}
	return rt, nil
}

// lookRuntime finds name's executable: deno in denoHome first, then PATH.
// "" when not found.
func lookRuntime(name, denoHome string) string {
	if name == "deno" {
		p := filepath.Join(denoHome, "deno")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
	}
	return ""
}

// String is the runtime as --js-runtimes takes it (NAME[:PATH]), or "none".
func (j JSRuntime) String() string {
	if j.Path == "" {
		return j.Name
	}
	return j.Name + ":" + j.Path
}

// args are the flags naming the runtime. They go first in the argv:
// --no-js-runtimes must come before --js-runtimes, which go-ytdlp's flag
// order cannot promise.
func (j JSRuntime) args(feat features) []string {
	if !feat.jsRuntimes || j.Name == "" {
		return nil
	}
	if j.Name == JSRuntimeNone {
		return []string{"--no-js-runtimes"}
	}
	return []string{"--no-js-runtimes", "--js-runtimes", j.String()}
}

// env is what the runtime needs in yt-dlp's environment (inherited by the
// runtime yt-dlp starts): DENO_DIR for the warm module cache.
func (j JSRuntime) env() map[string]string {
	if j.Name == "deno" && j.CacheDir != "" {
		return map[string]string{"DENO_DIR": j.CacheDir}
	}
	return nil
}

// Remote components yt-dlp may fetch when its solver scripts are missing
// (--remote-components); none unless the admin allows them.
const (
	RemoteEJSNPM    = "ejs:npm"
	RemoteEJSGitHub = "ejs:github"
)

// RemoteComponentNames are the allowed values of Settings.RemoteComponents.
var RemoteComponentNames = []string{RemoteEJSNPM, RemoteEJSGitHub}

func validateRemoteComponents(cs []string) error {
	for _, c := range cs {
		if !slices.Contains(RemoteComponentNames, c) {
			return fmt.Errorf("remote component %q is not one of %s", c, strings.Join(RemoteComponentNames, ", "))
		}
	}
	if len(cs) > len(RemoteComponentNames) {
		return errors.New("remote components repeat")
	}
	return nil
}

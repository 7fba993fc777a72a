package managed

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names inside the tools folder.
const (
	stateFile      = "state.json"
	lockFile       = ".lock"
	incomingPrefix = ".incoming-"
	retiredPrefix  = ".retired-"
	markerFile     = "verified.json"
)

// AssetName is the standalone build yt-dlp publishes for a Linux machine
// of architecture goarch (runtime.GOARCH), "" when there is none.
func AssetName(goarch string) string {
	switch goarch {
	case "amd64":
		return "yt-dlp_linux"
	case "arm64":
		return "yt-dlp_linux_aarch64"
	}
	return ""
}

// state is state.json: the active version and the one a rollback goes
// back to; "" is the fallback (system or configured) yt-dlp.
type state struct {
	Active   string `json:"active"`
	Previous string `json:"previous"`
}

// canRollBack reports whether there is somewhere to go back to.
func (s state) canRollBack() bool { return s.Active != "" || s.Previous != "" }

// marker is verified.json, written beside a placed build: what was
// checked, so a copy already on disk can be re-checked before reuse.
type marker struct {
	Version    string    `json:"version"`
	Asset      string    `json:"asset"`
	SHA256     string    `json:"sha256"`
	Source     string    `json:"source"` // "github.com/yt-dlp/yt-dlp", "upload"
	SignedBy   []string  `json:"signed_by"`
	VerifiedAt time.Time `json:"verified_at"`
}

// layout is the tools folder of one data dir.
type layout struct {
	dir   string
	asset string
}

func (l layout) versionDir(v string) string { return filepath.Join(l.dir, v) }
func (l layout) binary(v string) string     { return filepath.Join(l.dir, v, l.asset) }

// readState returns the recorded state; a missing file is the zero state
// (the fallback yt-dlp, nothing to roll back to).
func (l layout) readState() (state, error) {
	b, err := os.ReadFile(filepath.Join(l.dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, err
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return state{}, fmt.Errorf("managed: %s: %w", stateFile, err)
	}
	for _, v := range []string{s.Active, s.Previous} {
		if v != "" && !ValidVersion(v) {
			return state{}, fmt.Errorf("managed: %s names %q, which is not a version", stateFile, v)
		}
	}
	return s, nil
}

// writeState replaces state.json atomically: a reader sees the old or the
// new file, and after a crash one of them is there whole.
func (l layout) writeState(s state) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(l.dir, stateFile), b)
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readMarker returns what was verified about a placed version.
func (l layout) readMarker(v string) (marker, error) {
	var m marker
	b, err := os.ReadFile(filepath.Join(l.versionDir(v), markerFile))
	if err != nil {
		return m, err
	}
	err = json.Unmarshal(b, &m)
	return m, err
}

// placedSum re-hashes a placed version's build; "" when it is missing or
// not the file its marker describes.
func (l layout) placedSum(v string) string {
	m, err := l.readMarker(v)
	if err != nil || m.Asset != l.asset || m.Version != v {
		return ""
	}
	sum, err := fileSHA256(l.binary(v))
	if err != nil || sum != m.SHA256 {
		return ""
	}
	return sum
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// place moves a verified incoming folder to its version's folder. A copy
// already there (one that failed its re-check) is moved aside first and
// removed after.
func (l layout) place(incoming, v string) error {
	dst := l.versionDir(v)
	var retired string
	if _, err := os.Lstat(dst); err == nil {
		retired = filepath.Join(l.dir, retiredPrefix+v+"-"+fmt.Sprint(time.Now().UnixNano()))
		if err := os.Rename(dst, retired); err != nil {
			return err
		}
	}
	if err := os.Rename(incoming, dst); err != nil {
		if retired != "" {
			_ = os.Rename(retired, dst)
		}
		return err
	}
	if retired != "" {
		_ = os.RemoveAll(retired)
	}
	return syncDir(l.dir)
}

// sweep removes what no state refers to: version folders not in keep,
// and leftovers of interrupted installs. Call it holding the install lock.
func (l layout) sweep(keep func(v string) bool) []string {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, incomingPrefix), strings.HasPrefix(name, retiredPrefix):
		case e.IsDir() && ValidVersion(name) && !keep(name):
		default:
			continue
		}
		if err := os.RemoveAll(filepath.Join(l.dir, name)); err == nil {
			removed = append(removed, name)
		}
	}
	return removed
}

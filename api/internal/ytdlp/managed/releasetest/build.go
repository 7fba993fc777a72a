package releasetest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// base is the installed yt_dlp package, zipped once per test process;
// every Build copies its entries without recompressing them.
var (
	baseOnce   sync.Once
	baseZip    *zip.Reader
	basePython string
	baseErr    error
)

// Build returns a runnable yt-dlp that says it is version: a zipapp of the
// installed yt-dlp's own package (the way yt-dlp's "yt-dlp" release file
// is built), with yt_dlp/version.py rewritten and a shebang naming the
// installed yt-dlp's Python. Written to a file with mode 0755 it runs as
// `./file --version`.
func Build(t TB, version string) []byte {
	t.Helper()
	baseOnce.Do(makeBase)
	if baseErr != nil {
		t.Fatalf("releasetest: cannot build a yt-dlp from the installed one (yt-dlp must be installed from a Python package, as Debian's is): %v", baseErr)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "#!%s\n", basePython)
	zw := zip.NewWriter(&out)
	zw.SetOffset(int64(out.Len()))
	for _, f := range baseZip.File {
		if f.Name == "yt_dlp/version.py" {
			continue
		}
		r, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		h := f.FileHeader // CreateRaw fills in the header it is given: not the shared one
		w, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("yt_dlp/version.py")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "# Written by Downlink's tests (releasetest.Build)\n\n__version__ = %q\n\nRELEASE_GIT_HEAD = ''\n\nVARIANT = None\n\nUPDATE_HINT = None\n\nCHANNEL = 'stable'\n\nORIGIN = 'yt-dlp/yt-dlp'\n\n_pkg_version = %q\n", version, version)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// makeBase finds the installed yt-dlp, the Python it runs with and its
// yt_dlp package, and zips the package with a __main__.py.
func makeBase() {
	script, err := exec.LookPath("yt-dlp")
	if err != nil {
		baseErr = err
		return
	}
	basePython, err = shebang(script)
	if err != nil {
		baseErr = err
		return
	}
	out, err := exec.Command(basePython, "-c", "import os, yt_dlp; print(os.path.dirname(yt_dlp.__file__))").Output()
	if err != nil {
		baseErr = fmt.Errorf("%s cannot import yt_dlp: %w", basePython, err)
		return
	}
	pkg := strings.TrimSpace(string(out))
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	// Compiled modules go in as name.pyc beside where name.py would be
	// (zipimport's layout), instead of the source: Python then imports
	// them without compiling ~1800 modules at every start.
	err = filepath.WalkDir(pkg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(p, ".pyc") {
			return nil
		}
		name := p
		if strings.HasSuffix(p, ".py") && p != filepath.Join(pkg, "version.py") {
			if c, ok := compiled(p); ok {
				name, p = strings.TrimSuffix(p, ".py")+".pyc", c
			}
		}
		rel, err := filepath.Rel(filepath.Dir(pkg), name)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate})
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		baseErr = err
		return
	}
	w, err := zw.Create("__main__.py")
	if err != nil {
		baseErr = err
		return
	}
	_, _ = io.WriteString(w, "import yt_dlp\n\nif __name__ == '__main__':\n    yt_dlp.main()\n")
	if err := zw.Close(); err != nil {
		baseErr = err
		return
	}
	baseZip, baseErr = zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
}

// compiled finds the interpreter's cached bytecode of a source file
// (__pycache__/name.cpython-3NN.pyc).
func compiled(src string) (string, bool) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(src), "__pycache__", strings.TrimSuffix(filepath.Base(src), ".py")+".cpython-*.pyc"))
	if len(matches) != 1 {
		return "", false
	}
	return matches[0], true
}

// shebang returns the interpreter a script names on its first line.
func shebang(script string) (string, error) {
	f, err := os.Open(script)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	line = strings.TrimSpace(strings.TrimPrefix(line, "#!"))
	fields := strings.Fields(line)
	switch {
	case len(fields) == 0:
		return "", fmt.Errorf("%s has no #! line", script)
	case filepath.Base(fields[0]) == "env" && len(fields) > 1:
		return exec.LookPath(fields[1])
	}
	return fields[0], nil
}

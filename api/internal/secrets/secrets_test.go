package secrets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileIsGeneratedOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	k1, err := Load("", dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	sealed := k1.Seal([]byte("cookie jar"), "ctx")
	k2, err := Load("", dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k2.Open(sealed, "ctx")
	if err != nil || string(got) != "cookie jar" {
		t.Fatalf("reopened with the same key file: %q, %v", got, err)
	}
}

func TestSealOpen(t *testing.T) {
	k, err := Load("a-configured-secret-key-of-some-length", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsecret")
	sealed := k.Seal(plain, "platform:youtube:cookies")
	if strings.Contains(sealed, "secret") || bytes.Contains([]byte(sealed), plain[:10]) {
		t.Fatal("sealed text shows the plaintext")
	}
	tests := []struct {
		name    string
		sealed  string
		context string
		ok      bool
	}{
		{"same context", sealed, "platform:youtube:cookies", true},
		{"other context", sealed, "platform:instagram:cookies", false},
		{"altered", sealed[:len(sealed)-2] + "AA", "platform:youtube:cookies", false},
		{"not sealed", "plain", "platform:youtube:cookies", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Open(tt.sealed, tt.context)
			if tt.ok != (err == nil) {
				t.Fatalf("Open: err=%v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !bytes.Equal(got, plain) {
				t.Fatalf("Open = %q", got)
			}
		})
	}
	other, _ := Load("another-configured-secret-key-entirely", t.TempDir())
	if _, err := other.Open(sealed, "platform:youtube:cookies"); err == nil {
		t.Fatal("opened with another master key")
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := Load("short", t.TempDir()); err == nil {
		t.Fatal("a 5-character secret key was accepted")
	}
}

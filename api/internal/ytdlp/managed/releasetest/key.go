package releasetest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// Key is an OpenPGP signing key made for tests.
type Key struct {
	e *openpgp.Entity
}

var (
	keysOnce sync.Once
	keys     [2]*Key
	keysErr  error
)

func makeKeys() {
	for n, name := range []string{"Downlink test release key", "Someone else's key"} {
		e, err := openpgp.NewEntity(name, "tests only", "test@downlink.invalid", &packet.Config{RSABits: 2048})
		if err != nil {
			keysErr = err
			return
		}
		keys[n] = &Key{e: e}
	}
}

// TestKey is the key releases are signed with unless a test says
// otherwise (made once per test process).
func TestKey(t TB) *Key {
	t.Helper()
	keysOnce.Do(makeKeys)
	if keysErr != nil {
		t.Fatalf("releasetest: make a key: %v", keysErr)
	}
	return keys[0]
}

// OtherKey is a second key: a signature made with it must not verify
// against TestKey.
func OtherKey(t TB) *Key {
	TestKey(t)
	return keys[1]
}

// Sign returns a binary detached signature of data, as `gpg
// --detach-sign` makes it.
func (k *Key) Sign(t TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := openpgp.DetachSign(&b, k.e, bytes.NewReader(data), nil); err != nil {
		t.Fatalf("releasetest: sign: %v", err)
	}
	return b.Bytes()
}

// PublicArmored is the public key, armored like yt-dlp's public.key.
func (k *Key) PublicArmored(t TB) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Keyring is the public key as an Installer takes it.
func (k *Key) Keyring(t TB) *managed.Keyring {
	t.Helper()
	kr, err := managed.ParseKeyring(k.PublicArmored(t))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// WritePublic writes the armored public key into a temp file and returns
// its path (for DOWNLINK_YTDLP_SIGNING_KEY).
func (k *Key) WritePublic(t TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test-signing-key.asc")
	if err := os.WriteFile(p, k.PublicArmored(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

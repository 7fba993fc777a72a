// Package secrets holds Downlink's master secret and what is derived from
// it: keys that sign and encrypt cookies, and an AES-GCM box that encrypts
// secrets at rest (cookies files, client secrets, webhook secrets).
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the file in the data dir that holds a generated master key.
const KeyFile = "secret.key"

// Keys are the keys derived from the master secret.
type Keys struct {
	master []byte
	box    cipher.AEAD
}

// Load returns the keys for configured (DOWNLINK_SECRET_KEY), or reads the
// key file in dataDir, generating it once (mode 0600) when absent.
func Load(configured, dataDir string) (*Keys, error) {
	master := []byte(configured)
	if configured == "" {
		var err error
		if master, err = loadOrCreate(filepath.Join(dataDir, KeyFile)); err != nil {
			return nil, err
		}
	}
	if len(master) < 16 {
		return nil, errors.New("DOWNLINK_SECRET_KEY must be at least 16 characters (32 random bytes recommended)")
	}
	return newKeys(master)
}

func newKeys(master []byte) (*Keys, error) {
	k := &Keys{master: master}
	block, err := aes.NewCipher(k.Derive("downlink secrets at rest v1", 32))
	if err != nil {
		return nil, err
	}
	if k.box, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	return k, nil
}

func loadOrCreate(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if key == "" {
			return nil, fmt.Errorf("%s is empty: delete it to generate a new key (existing sessions and encrypted secrets will be lost)", path)
		}
		return []byte(key), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreate(path) // another process won the race
	}
	if err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return []byte(key), nil
}

// Derive returns n bytes derived from the master secret for one purpose
// (HKDF-SHA256), so one leaked derived key reveals nothing of the others.
func (k *Keys) Derive(purpose string, n int) []byte {
	out, err := hkdf.Key(sha256.New, k.master, nil, purpose, n)
	if err != nil {
		panic(err) // only for n beyond HKDF's limit, a programming error
	}
	return out
}

// boxPrefix marks a value sealed by Seal (version 1).
const boxPrefix = "v1:"

// ErrCannotOpen means a sealed value was altered or sealed with another key.
var ErrCannotOpen = errors.New("secrets: cannot decrypt (altered, or sealed with another DOWNLINK_SECRET_KEY)")

// Seal encrypts plaintext with AES-256-GCM; context binds the ciphertext to
// its use (e.g. "platform:youtube:cookies") so it cannot be moved elsewhere.
func (k *Keys) Seal(plaintext []byte, context string) string {
	nonce := make([]byte, k.box.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	sealed := k.box.Seal(nonce, nonce, plaintext, []byte(context))
	return boxPrefix + base64.RawStdEncoding.EncodeToString(sealed)
}

// Open decrypts what Seal returned for the same context.
func (k *Keys) Open(sealed, context string) ([]byte, error) {
	if !strings.HasPrefix(sealed, boxPrefix) {
		return nil, ErrCannotOpen
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, boxPrefix))
	if err != nil || len(raw) < k.box.NonceSize() {
		return nil, ErrCannotOpen
	}
	n := k.box.NonceSize()
	plain, err := k.box.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return nil, ErrCannotOpen
	}
	return plain, nil
}

package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes, 1
// lane). Stored with each hash, so raising them later re-hashes on login.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Bounds on the parameters a stored hash may ask for (far above ours, far
// below what would take the server down).
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// PasswordParams are the argon2id costs new hashes are made with. A check
// reads the costs from the stored hash, so hashes made with other
// parameters keep working.
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultPasswordParams are what a server uses (the constants above).
var DefaultPasswordParams = PasswordParams{MemoryKiB: argonMemoryKiB, Time: argonTime, Threads: argonThreads}

// HashPassword returns the PHC string of an argon2id hash of password,
// made with DefaultPasswordParams.
func HashPassword(password string) (string, error) { return DefaultPasswordParams.Hash(password) }

// Hash returns the PHC string of an argon2id hash of password made with p.
func (p PasswordParams) Hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("users: unrecognised password hash")

// CheckPassword reports whether password matches the PHC hash, in time
// that does not depend on where they differ.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	// argon2 panics on zero passes or lanes, and a stored hash must not be
	// able to make one check allocate gigabytes or run for minutes.
	if iters < 1 || iters > maxArgonTime || threads < 1 || mem < 8*uint32(threads) || mem > maxArgonMemoryKiB {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash returns the hash checked against when an account does not
// exist, made with p, so a wrong e-mail costs as much time as a wrong
// password. Made on first use: every start of the binary (including each
// yt-dlp guard) would otherwise pay for an argon2id hash.
func dummyHash(p PasswordParams) func() string {
	return sync.OnceValue(func() string {
		h, _ := p.Hash("downlink dummy password for timing")
		return h
	})
}

package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"math/big"
	"strings"
)

// Key format: "dlk_" + 43 base62 characters (32 random bytes) + a
// 6-character base62 CRC32 of everything before it. The checksum lets the
// server (and secret scanners) reject a mistyped or made-up key without a
// database lookup.
const (
	Prefix      = "dlk_"
	bodyLen     = 43
	checksumLen = 6
	KeyLen      = len(Prefix) + bodyLen + checksumLen
)

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Generate returns a new random key.
func Generate() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	body := base62(new(big.Int).SetBytes(raw), bodyLen)
	return Prefix + body + checksum(Prefix+body), nil
}

// WellFormed reports whether s has the key format and a correct checksum.
// It touches no database.
func WellFormed(s string) bool {
	if len(s) != KeyLen || !strings.HasPrefix(s, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(s); i++ {
		if strings.IndexByte(base62Alphabet, s[i]) < 0 {
			return false
		}
	}
	head := s[:len(s)-checksumLen]
	return checksum(head) == s[len(s)-checksumLen:]
}

func checksum(s string) string {
	return base62(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(s)))), checksumLen)
}

// base62 writes n in base 62, left-padded with zeros to width.
func base62(n *big.Int, width int) string {
	out := make([]byte, width)
	for i := range out {
		out[i] = '0'
	}
	base := big.NewInt(62)
	mod := new(big.Int)
	n = new(big.Int).Set(n)
	for i := width - 1; i >= 0 && n.Sign() > 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = base62Alphabet[mod.Int64()]
	}
	return string(out)
}

// Hash is what the database stores: hex SHA-256 of the key. Keys have 256
// bits of entropy, so a fast hash is enough (no password stretching).
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// LastEight is the part shown to help recognise a key.
func LastEight(key string) string { return key[len(key)-8:] }

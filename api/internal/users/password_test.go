package users

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// phc is the PHC string format of an argon2id hash with our parameters.
var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	passwords := []string{"correct horse battery staple", "ünïcödé пароль 密码", "x", "", "tab\tand\nnewline"}
	for _, pw := range passwords {
		t.Run(fmt.Sprintf("%q", pw), func(t *testing.T) {
			h1, err := HashPassword(pw)
			if err != nil {
				t.Fatal(err)
			}
			h2, _ := HashPassword(pw)
			if !phc.MatchString(h1) {
				t.Fatalf("hash %q is not a PHC argon2id string", h1)
			}
			if h1 == h2 {
				t.Fatal("two hashes of one password are equal: no salt")
			}
			for _, h := range []string{h1, h2} {
				if ok, err := CheckPassword(h, pw); !ok || err != nil {
					t.Fatalf("the right password: %v, %v", ok, err)
				}
				if ok, err := CheckPassword(h, pw+"x"); ok || err != nil {
					t.Fatalf("a wrong password: %v, %v", ok, err)
				}
			}
		})
	}
}

// TestCheckPasswordReadsParameters: a hash keeps its own cost parameters,
// so hashes made before a parameter change still check.
func TestCheckPasswordReadsParameters(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old password"), salt, 1, 8*1024, 2, 16)
	h := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if ok, err := CheckPassword(h, "old password"); !ok || err != nil {
		t.Fatalf("%v, %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "other"); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	good, _ := HashPassword("pw")
	salt, key := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef")), base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	tests := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":        "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"old version":    "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"bad parameters": "$argon2id$v=19$m=lots,t=2,p=1$" + salt + "$" + key,
		"zero passes":    "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"zero lanes":     "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"absurd memory":  "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key,
		"absurd passes":  "$argon2id$v=19$m=19456,t=4294967295,p=1$" + salt + "$" + key,
		"bad salt":       "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"empty key":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"extra field":    good + "$x",
		"truncated":      good[:20],
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := CheckPassword(h, "pw")
			if ok || !errors.Is(err, errBadHash) {
				t.Fatalf("%v, %v; want errBadHash", ok, err)
			}
		})
	}
}

// TestDummyHashIsUsable: the hash checked for unknown accounts must cost a
// real argon2 computation, or a wrong e-mail answers faster than a wrong
// password.
func TestDummyHashIsUsable(t *testing.T) {
	t.Parallel()
	dummy := dummyHash(DefaultPasswordParams)()
	if !phc.MatchString(dummy) {
		t.Fatalf("dummy hash %q", dummy)
	}
	if ok, err := CheckPassword(dummy, "anything"); ok || err != nil {
		t.Fatalf("%v, %v", ok, err)
	}
}

// TestPasswordParams: a service made with other costs hashes with them
// (and its dummy hash too, so a wrong e-mail still costs what a wrong
// password does), and its hashes check like any other.
func TestPasswordParams(t *testing.T) {
	t.Parallel()
	cheap := PasswordParams{MemoryKiB: 8, Time: 1, Threads: 1}
	h, err := cheap.Hash("correct horse")
	if err != nil || !strings.Contains(h, "$m=8,t=1,p=1$") {
		t.Fatalf("hash %q, %v", h, err)
	}
	if ok, err := CheckPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	if ok, err := CheckPassword(h, "wrong horse"); ok || err != nil {
		t.Fatalf("wrong password: %v, %v", ok, err)
	}
	s := New(nil, WithPasswordParams(cheap))
	if d := s.dummyHash(); !strings.Contains(d, "$m=8,t=1,p=1$") {
		t.Errorf("dummy hash %q is not made with the service's costs", d)
	}
	if d := New(nil).dummyHash(); !phc.MatchString(d) {
		t.Errorf("default service's dummy hash %q", d)
	}
}

package managed

import (
	"bytes"
	"crypto"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// YtdlpKeyFingerprint is the fingerprint of yt-dlp's release signing key
// as yt-dlp publishes it (yt-dlp-signing-key.md).
const YtdlpKeyFingerprint = "AC0CBBE6848D6A873464AF4E57CF65933B5A7581"

// ytdlpKey is yt-dlp's public.key; see yt-dlp-signing-key.md for where it
// comes from.
//
//go:embed yt-dlp-signing-key.asc
var ytdlpKey []byte

// Keyring holds the public keys a release's SHA2-256SUMS may be signed
// with.
type Keyring struct {
	keys openpgp.EntityList
}

// YtdlpKeyring returns yt-dlp's release key, embedded in Downlink.
func YtdlpKeyring() *Keyring {
	k, err := ParseKeyring(ytdlpKey)
	if err != nil {
		panic("managed: the embedded yt-dlp key does not parse: " + err.Error()) // caught by TestEmbeddedKeyIsYtdlps
	}
	return k
}

// ParseKeyring reads OpenPGP public keys, armored or binary.
func ParseKeyring(data []byte) (*Keyring, error) {
	var (
		list openpgp.EntityList
		err  error
	)
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		list, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	} else {
		list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("managed: signing key: %w", err)
	}
	if len(list) == 0 {
		return nil, errors.New("managed: signing key: no key in the file")
	}
	return &Keyring{keys: list}, nil
}

// Fingerprints lists the primary keys' fingerprints, upper-case hex.
func (k *Keyring) Fingerprints() []string {
	out := make([]string, 0, len(k.keys))
	for _, e := range k.keys {
		out = append(out, strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint)))
	}
	return out
}

// acceptedHashes are the digests a release signature may use; SHA-1 and
// older are refused.
var acceptedHashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA3_256, crypto.SHA3_512}

// verify checks a detached signature (binary, as yt-dlp's `gpg
// --detach-sign` makes it, or armored) over signed.
func (k *Keyring) verify(signed, sig []byte) error {
	if len(sig) == 0 {
		return refuse(CodeUnsigned, nil, "the release has no signature (SHA2-256SUMS.sig is empty)")
	}
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN PGP SIGNATURE-----")) {
		block, err := armor.Decode(bytes.NewReader(sig))
		if err != nil {
			return refuse(CodeBadSignature, err, "SHA2-256SUMS.sig is not an OpenPGP signature")
		}
		if sig, err = io.ReadAll(io.LimitReader(block.Body, maxSumsSize)); err != nil {
			return refuse(CodeBadSignature, err, "SHA2-256SUMS.sig is not an OpenPGP signature")
		}
	}
	_, err := openpgp.CheckDetachedSignatureAndHash(k.keys, bytes.NewReader(signed), bytes.NewReader(sig), acceptedHashes, &packet.Config{})
	if err == nil {
		return nil
	}
	return refuse(CodeBadSignature, err, "the signature of SHA2-256SUMS does not verify with yt-dlp's signing key (%s): the release may have been tampered with",
		strings.Join(k.Fingerprints(), ", "))
}

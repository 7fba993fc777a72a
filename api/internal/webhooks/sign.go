package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"github.com/google/uuid"
)

// secretPrefix starts every signing secret, as Standard Webhooks has it.
const secretPrefix = "whsec_"

// newSecret returns 32 random bytes and their "whsec_" + base64 form.
func newSecret() ([]byte, string) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return raw, secretPrefix + base64.StdEncoding.EncodeToString(raw)
}

// secretContext binds a sealed secret to its webhook, so a sealed value
// copied to another row does not open.
func secretContext(id uuid.UUID) string { return "webhook:" + id.String() + ":secret" }

// sign returns the webhook-signature header value: "v1," and the base64
// HMAC-SHA256 of "{msgID}.{timestamp}.{body}" keyed with the raw secret.
func sign(key []byte, msgID string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

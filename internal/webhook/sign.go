package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed with the
	// webhook's secret, of the timestamp header's value, a full stop, and
	// the raw body: "1747130400.{...}".
	HeaderSignature = "X-Truce-Signature"
	// HeaderTimestamp is the Unix time of the attempt, in seconds. It is
	// signed, so that a receiver can refuse old deliveries replayed by
	// someone who recorded them.
	HeaderTimestamp = "X-Truce-Timestamp"
	// HeaderEvent is the event kind.
	HeaderEvent = "X-Truce-Event"
	// HeaderDelivery is the event id (its log leaf index): the same on
	// every retry, for receivers to drop duplicates.
	HeaderDelivery = "X-Truce-Delivery"
)

// Sign returns the X-Truce-Signature value of a body sent at a time.
func Sign(secret string, at time.Time, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, strconv.FormatInt(at.Unix(), 10), body))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery as a receiver would: the signature header
// against the secret, the timestamp header and the raw body, and the
// timestamp within maxAge of now (0: any age). Comparison is in constant
// time.
func Verify(secret, signature, timestamp string, body []byte, now time.Time, maxAge time.Duration) bool {
	hexSig, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if maxAge > 0 {
		if d := now.Sub(time.Unix(ts, 0)); d > maxAge || d < -maxAge {
			return false
		}
	}
	return hmac.Equal(got, mac(secret, timestamp, body))
}

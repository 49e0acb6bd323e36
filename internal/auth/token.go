package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognize (secret scanners, logs) and tell from a token id.
const TokenPrefix = "truce_"

// NewToken returns a new API token, 32 random bytes, and the SHA-256 of
// it, which is all the store keeps.
func NewToken() (string, [32]byte, error) {
	s, err := newSecret()
	if err != nil {
		return "", [32]byte{}, err
	}
	tok := TokenPrefix + s
	return tok, Hash(tok), nil
}

// NewSession returns a new session secret for the cookie and its SHA-256.
func NewSession() (string, [32]byte, error) {
	s, err := newSecret()
	if err != nil {
		return "", [32]byte{}, err
	}
	return s, Hash(s), nil
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash is the SHA-256 under which a token or session secret is stored.
// The secrets are 256 random bits, so a fast hash is enough: there is
// nothing to guess.
func Hash(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// IsToken reports whether s looks like an API token rather than an id.
func IsToken(s string) bool { return strings.HasPrefix(s, TokenPrefix) }

// CSRFToken returns the CSRF token of a session: derived from the
// session's secret, so that nothing more is stored and a page that
// cannot read the cookie (another site's) cannot make it. Every write
// signed in by the cookie must send it in X-CSRF-Token.
func CSRFToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("truce csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether token is the CSRF token of the session, in
// constant time.
func CheckCSRF(session, token string) bool {
	return token != "" && hmac.Equal([]byte(CSRFToken(session)), []byte(token))
}

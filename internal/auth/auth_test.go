package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/truce-monitor/truce"
)

// cheap keeps the tests fast; the format and the checks do not depend
// on the cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestPassword(t *testing.T) {
	phc, err := HashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(phc, "horse") {
		t.Errorf("hash %q", phc)
	}
	if ok, err := VerifyPassword(phc, "correct horse battery"); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, err := VerifyPassword(phc, "correct horse batterY"); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	again, _ := HashPassword("correct horse battery", cheap)
	if again == phc {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short", cheap); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("short password: %v", err)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("VerifyPassword(%q) accepted a malformed hash", bad)
		}
	}
}

// TestPasswordKnownAnswer checks the PHC string against argon2id computed
// here directly, with a fixed salt, so that the encoding is the standard
// one (unpadded base64 of salt and key) that other tools read.
func TestPasswordKnownAnswer(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("a long passphrase"), salt, 1, 64, 1, 32)
	phc := "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + b64.EncodeToString(key)
	if ok, err := VerifyPassword(phc, "a long passphrase"); !ok || err != nil {
		t.Errorf("VerifyPassword of a hand-built PHC string: %v %v", ok, err)
	}
}

func TestTokens(t *testing.T) {
	tok, h, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !IsToken(tok) || len(tok) != len(TokenPrefix)+43 {
		t.Errorf("token %q", tok)
	}
	if sum := sha256.Sum256([]byte(tok)); hex.EncodeToString(sum[:]) != hex.EncodeToString(h[:]) {
		t.Error("the stored hash is not the SHA-256 of the token")
	}
	other, _, _ := NewToken()
	if other == tok {
		t.Error("two tokens are equal")
	}
	s, _, _ := NewSession()
	c := CSRFToken(s)
	if !CheckCSRF(s, c) || CheckCSRF(s, "") || CheckCSRF(s, c+"x") {
		t.Error("CheckCSRF")
	}
	s2, _, _ := NewSession()
	if CheckCSRF(s2, c) {
		t.Error("one session's CSRF token works for another")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if w := l.Wait("u"); w != 0 {
			t.Fatalf("attempt %d must wait %v", i, w)
		}
		l.Fail("u")
	}
	if w := l.Wait("u"); w != time.Minute {
		t.Errorf("after 3 failures wait %v, want 1m", w)
	}
	if w := l.Wait("v"); w != 0 {
		t.Errorf("another key waits %v", w)
	}
	now = now.Add(45 * time.Second)
	if w := l.Wait("u"); w != 15*time.Second {
		t.Errorf("wait %v, want 15s", w)
	}
	now = now.Add(15 * time.Second)
	if w := l.Wait("u"); w != 0 {
		t.Errorf("after the window wait %v", w)
	}
}

func TestLimiterBounded(t *testing.T) {
	now := time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(1, time.Hour, func() time.Time { return now })
	for i := range maxKeys + 10 {
		now = now.Add(time.Millisecond)
		l.Fail(strconv.Itoa(i))
	}
	if len(l.keys) > maxKeys {
		t.Errorf("%d keys kept, bound %d", len(l.keys), maxKeys)
	}
}

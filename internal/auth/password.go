// Package auth holds Truce's credentials: argon2id password hashes as PHC
// strings, API tokens and session secrets (random, stored only as
// SHA-256), CSRF tokens derived from sessions, and the limiter of
// sign-in attempts. It stores nothing itself: internal/store keeps the
// hashes, internal/httpapi checks them.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/truce-monitor/truce"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow OWASP's password storage advice for argon2id
// (19 MiB, two passes, one lane): measured at 120 ms a hash on the
// shared two-core build machine under load, slow for an attacker's
// guesses, bearable at sign-in.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinPassword and MaxPassword bound a password's length in characters;
	// the upper bound keeps a sign-in from hashing megabytes.
	MinPassword = 10
	MaxPassword = 256
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of password as a PHC string,
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH, with a random salt. A
// password shorter than MinPassword or longer than MaxPassword
// characters is EINVALID.
func HashPassword(password string, p Params) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether a password is acceptable as a new one.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPassword || n > MaxPassword {
		return truce.Invalid("password", "must be %d-%d characters", MinPassword, MaxPassword)
	}
	return nil
}

// VerifyPassword reports whether password matches a PHC string made by
// HashPassword, with the parameters the string names (so that raising
// DefaultParams keeps old hashes working). A malformed hash is an error.
func VerifyPassword(phc, password string) (bool, error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if utf8.RuneCountInString(password) > MaxPassword {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

var errPHC = errors.New("not an argon2id PHC string")

func parsePHC(phc string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errPHC
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: version %q", errPHC, parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", errPHC, parts[3])
	}
	// Bounds against a hash that would make each sign-in hang (a tampered
	// database row): at most 1 GiB and 16 passes.
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q out of range", errPHC, parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("%w: salt", errPHC)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("%w: hash", errPHC)
	}
	return p, salt, key, nil
}

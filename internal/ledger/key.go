package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Key is the log's signing key pair. The key file holds only the signer
// key text (note.GenerateKey's "PRIVATE+KEY+<origin>+<hash>+<seed>"); the
// verifier key is derived from it, so the two can never disagree.
type Key struct {
	Signer      note.Signer
	Verifier    note.Verifier
	VerifierKey string // "<origin>+<hash>+<key>": what GET /api/v1/log/key serves
}

// Origin returns the key's name, which is also the checkpoints' origin line.
func (k Key) Origin() string { return k.Signer.Name() }

// LoadOrCreateKey returns the signer and verifier of the key file at path,
// creating it (mode 0600) with a new Ed25519 key named origin on first use.
// See OpenKey.
func LoadOrCreateKey(path, origin string) (note.Signer, note.Verifier, error) {
	k, err := OpenKey(path, origin)
	if err != nil {
		return nil, nil, err
	}
	return k.Signer, k.Verifier, nil
}

// OpenKey loads the key file at path, creating it with a new Ed25519 key
// named origin if it does not exist. A key file that group or others may
// read is refused: anyone who can read it can forge checkpoints. An
// existing key named other than origin is an error (a changed origin would
// silently split the log's identity); origin "" accepts any name.
func OpenKey(path, origin string) (Key, error) {
	data, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if origin == "" {
			return Key{}, fmt.Errorf("log key %s does not exist and no origin was given to create it", path)
		}
		if err := createKeyFile(path, origin); err != nil {
			return Key{}, err
		}
		data, err = readKeyFile(path)
	}
	if err != nil {
		return Key{}, err
	}
	k, err := parseSignerKey(strings.TrimSpace(string(data)))
	if err != nil {
		return Key{}, fmt.Errorf("log key %s: %w", path, err)
	}
	if origin != "" && k.Origin() != origin {
		return Key{}, fmt.Errorf("log key %s is for origin %q, not %q", path, k.Origin(), origin)
	}
	return k, nil
}

// readKeyFile reads path after checking that only its owner can read it.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("log key %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("log key %s has mode %04o, readable beyond its owner; run chmod 600 %s", path, perm, path)
	}
	return os.ReadFile(path)
}

// createKeyFile writes a new key to path. O_EXCL makes two processes
// starting at once agree on one key: the loser reads the winner's.
func createKeyFile(path, origin string) error {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return fmt.Errorf("generate log key %q: %w", origin, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create log key: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create log key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write log key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write log key %s: %w", path, err)
	}
	return f.Close()
}

// parseSignerKey builds a Key from signer key text, deriving the public
// half from the Ed25519 seed the text carries.
func parseSignerKey(skey string) (Key, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("not a signer key: %w", err)
	}
	// "PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>"
	// (base64 may itself contain '+', so split off the first four fields)
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return Key{}, errors.New("not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return Key{}, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Key{}, err
	}
	if v.KeyHash() != s.KeyHash() {
		return Key{}, errors.New("signer key hash does not match its public key")
	}
	return Key{Signer: s, Verifier: v, VerifierKey: vkey}, nil
}

// ParseVerifierKey reads a verifier key from text: a bare verifier key
// line (as served by GET /api/v1/log/key), or a signer key file, from
// which the public half is derived.
func ParseVerifierKey(text []byte) (note.Verifier, string, error) {
	for _, line := range bytes.Split(text, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "PRIVATE+KEY+") {
			k, err := parseSignerKey(s)
			if err != nil {
				return nil, "", err
			}
			return k.Verifier, k.VerifierKey, nil
		}
		v, err := note.NewVerifier(s)
		if err != nil {
			return nil, "", fmt.Errorf("not a verifier key: %w", err)
		}
		return v, s, nil
	}
	return nil, "", errors.New("no key found")
}

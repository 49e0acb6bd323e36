package ledger_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/ledger"
)

func TestKeyFileCreatedOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "log.key")
	s, v, err := ledger.LoadOrCreateKey(path, "truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", perm)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "PRIVATE+KEY+truce.test/log+") {
		t.Fatalf("key file holds %q, want a signer key", data)
	}
	if s.Name() != "truce.test/log" || v.Name() != "truce.test/log" || s.KeyHash() != v.KeyHash() {
		t.Fatalf("signer %s/%08x, verifier %s/%08x", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	// The verifier derived from the file checks what the signer signs.
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("derived verifier rejects the signer's note: %v", err)
	}

	// A second start loads the same key.
	k2, err := ledger.OpenKey(path, "truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	if k2.Signer.KeyHash() != s.KeyHash() {
		t.Fatal("reloading the key file made a new key")
	}
	if _, err := note.Open(msg, note.VerifierList(k2.Verifier)); err != nil {
		t.Fatalf("reloaded verifier rejects the note: %v", err)
	}
	if _, err := note.NewVerifier(k2.VerifierKey); err != nil {
		t.Fatalf("VerifierKey %q: %v", k2.VerifierKey, err)
	}
	// origin "" accepts the stored name; another origin is refused.
	if _, err := ledger.OpenKey(path, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.OpenKey(path, "other.test/log"); err == nil || !strings.Contains(err.Error(), "other.test/log") {
		t.Fatalf("OpenKey with another origin: %v", err)
	}
}

func TestKeyFileLoosePermissionsRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		path := filepath.Join(t.TempDir(), "log.key")
		if _, err := ledger.OpenKey(path, "truce.test/log"); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := ledger.LoadOrCreateKey(path, "truce.test/log")
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("mode %04o: err = %v, want a refusal that says chmod 600", mode, err)
		}
	}
}

func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ledger.OpenKey(filepath.Join(dir, "none.key"), ""); err == nil {
		t.Error("OpenKey of a missing file without origin succeeded")
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, err := ledger.OpenKey(bad, ""); err == nil {
		t.Error("OpenKey of garbage succeeded")
	}
	if _, err := ledger.OpenKey(filepath.Join(dir, "x.key"), "bad origin"); err == nil {
		t.Error("origin with a space accepted")
	}
}

func TestParseVerifierKey(t *testing.T) {
	k := newKey(t, "truce.test/log")
	for _, text := range []string{k.VerifierKey, k.VerifierKey + "\n", "\n  " + k.VerifierKey + "  \n"} {
		v, got, err := ledger.ParseVerifierKey([]byte(text))
		if err != nil || got != k.VerifierKey || v.KeyHash() != k.Verifier.KeyHash() {
			t.Fatalf("ParseVerifierKey(%q) = %q, %v", text, got, err)
		}
	}
	// A signer key file yields its public half.
	skey, vkey, err := note.GenerateKey(rand.Reader, "truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := ledger.ParseVerifierKey([]byte(skey + "\n")); err != nil || got != vkey {
		t.Fatalf("ParseVerifierKey(signer key) = %q, %v; want %q", got, err, vkey)
	}
	for _, text := range []string{"", "\n\n", "nonsense", "PRIVATE+KEY+x+00000000+AAAA"} {
		if _, _, err := ledger.ParseVerifierKey([]byte(text)); err == nil {
			t.Errorf("ParseVerifierKey(%q) accepted", text)
		}
	}
}

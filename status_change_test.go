package truce

import (
	"errors"
	"testing"
)

// TestNameCommitment checks the commitment against a vector computed
// apart from Go (sha256sum of the 32 salt bytes 0x00..0x1f followed by
// "admin-alice"), and that a salt of the wrong length or not hex is
// refused, naming by_salt.
func TestNameCommitment(t *testing.T) {
	const salt = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	got, err := NameCommitment(salt, "admin-alice")
	if want := "b2239e67b4fd210fead2e1c180f3f19615a2ee462c5a163977fb5c6645fbaff6"; err != nil || got != want {
		t.Errorf("NameCommitment = %s, %v; want %s", got, err, want)
	}
	if other, _ := NameCommitment(salt, "admin-bob"); other == got {
		t.Errorf("two names give the same commitment %s", got)
	}
	for _, bad := range []string{"", "00", salt + "00", salt[:62] + "zz"} {
		_, err := NameCommitment(bad, "admin-alice")
		var e *Error
		if !errors.As(err, &e) || e.Code != EINVALID || e.Field != "by_salt" {
			t.Errorf("NameCommitment(%q): %v, want EINVALID on by_salt", bad, err)
		}
	}
}

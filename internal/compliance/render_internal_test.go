package compliance

import "testing"

// TestSafeCell checks every character a spreadsheet reads as the start of
// a formula, and that other text and numbers pass unchanged.
func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)":        "'=SUM(A1)",
		"+1":              "'+1",
		"-1":              "'-1",
		"@cmd":            "'@cmd",
		"\tx":             "'\tx",
		"\rx":             "'\rx",
		"Kharkiv (UA-63)": "Kharkiv (UA-63)",
		"12":              "12",
		"":                "",
		"a=b":             "a=b",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/store"
)

func TestUserCommands(t *testing.T) {
	dsn := tempDB(t)
	code, out, errOut := runTruce(t, "", "user", "add", "ana", "--role", "analyst", "--db", dsn)
	if code != 0 {
		t.Fatalf("user add: %d %s", code, errOut)
	}
	tok := strings.TrimSpace(out)
	if !auth.IsToken(tok) || strings.Count(out, "\n") != 1 {
		t.Fatalf("user add printed %q, want one token line", out)
	}
	// A liaison needs a party, and a known one.
	if code, _, errOut := runTruce(t, "", "user", "add", "lia", "--role", "liaison", "--db", dsn); code != 2 || !strings.Contains(errOut, "party") {
		t.Errorf("liaison without party: %d %s", code, errOut)
	}
	if code, _, errOut := runTruce(t, "", "user", "add", "lia", "--role", "liaison", "--party", "XX", "--db", dsn); code != 2 || !strings.Contains(errOut, "unknown party") {
		t.Errorf("liaison of an unknown party: %d %s", code, errOut)
	}
	if code, _, errOut := runTruce(t, "", "user", "add", "bob", "--role", "god", "--db", dsn); code != 2 || !strings.Contains(errOut, "role") {
		t.Errorf("unknown role: %d %s", code, errOut)
	}
	if code, _, _ := runTruce(t, "", "user", "add", "ana", "--role", "admin", "--db", dsn); code != 1 {
		t.Errorf("taken name: exit %d, want 1", code)
	}
	code, _, errOut = runTruce(t, "a good long password\n", "user", "passwd", "ana", "--db", dsn)
	if code != 0 {
		t.Fatalf("passwd: %d %s", code, errOut)
	}
	if code, _, errOut := runTruce(t, "short\n", "user", "passwd", "ana", "--db", dsn); code != 2 || !strings.Contains(errOut, "password") {
		t.Errorf("short password: %d %s", code, errOut)
	}
	code, out, _ = runTruce(t, "", "token", "add", "ana", "--db", dsn)
	second := strings.TrimSpace(out)
	if code != 0 || !auth.IsToken(second) || second == tok {
		t.Fatalf("token add: %d %q", code, out)
	}

	ctx := context.Background()
	check := func(tok string, want bool) {
		t.Helper()
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		u, err := db.TokenUser(ctx, auth.Hash(tok))
		if want && (err != nil || u.Name != "ana" || u.Role != truce.RoleAnalyst) {
			t.Errorf("token of ana: %+v %v", u, err)
		}
		if !want && truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("revoked token still works: %+v %v", u, err)
		}
		if want {
			_, hash, err := db.PasswordHash(ctx, "ana")
			if err != nil || !strings.HasPrefix(hash, "$argon2id$") {
				t.Errorf("password hash %q %v", hash, err)
			}
			if ok, _ := auth.VerifyPassword(hash, "a good long password"); !ok {
				t.Error("the password set is not the one given")
			}
		}
	}
	check(tok, true)
	if code, out, errOut := runTruce(t, "", "token", "revoke", tok, "--db", dsn); code != 0 || !strings.Contains(out, "token 1 revoked") {
		t.Fatalf("revoke by token: %d %s %s", code, out, errOut)
	}
	check(tok, false)
	check(second, true)
	if code, _, errOut := runTruce(t, "", "token", "revoke", "2", "--db", dsn); code != 0 {
		t.Fatalf("revoke by id: %d %s", code, errOut)
	}
	check(second, false)
	if code, _, _ := runTruce(t, "", "token", "revoke", "banana", "--db", dsn); code != 2 {
		t.Errorf("revoke of neither token nor id: exit %d", code)
	}
	if code, _, _ := runTruce(t, "", "token", "revoke", "99", "--db", dsn); code != 1 {
		t.Errorf("revoke of an unknown id: exit %d", code)
	}
	if code, out, _ := runTruce(t, "", "user", "list", "--db", dsn); code != 0 || !strings.Contains(out, "ana\tanalyst") {
		t.Errorf("user list: %d %q", code, out)
	}

	// Disabled, a user's tokens stop working; enabled, they work again.
	_, out, _ = runTruce(t, "", "token", "add", "ana", "--db", dsn)
	third := strings.TrimSpace(out)
	if code, out, errOut := runTruce(t, "", "user", "disable", "ana", "--db", dsn); code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %d %s %s", code, out, errOut)
	}
	check(third, false)
	if code, out, _ := runTruce(t, "", "user", "list", "--db", dsn); code != 0 || !strings.Contains(out, "(disabled)") {
		t.Errorf("user list after disable: %q", out)
	}
	if code, _, errOut := runTruce(t, "", "user", "enable", "ana", "--db", dsn); code != 0 {
		t.Fatalf("enable: %s", errOut)
	}
	check(third, true)
	if code, _, _ := runTruce(t, "", "user", "disable", "nobody", "--db", dsn); code != 1 {
		t.Errorf("disable of an unknown user: exit %d", code)
	}
}

func TestDemoAccounts(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, tempDB(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range []truce.Party{{Code: "UA", Name: "Ukraine"}, {Code: "RU", Name: "Russia"}} {
		if _, err := db.PutParty(ctx, p, "test"); err != nil {
			t.Fatal(err)
		}
	}
	password := func() string {
		var b strings.Builder
		if err := ensureDemoAccounts(ctx, db, &b); err != nil {
			t.Fatal(err)
		}
		_, pw, ok := strings.Cut(strings.TrimSpace(b.String()), "password for this run: ")
		if !ok || len(pw) < auth.MinPassword {
			t.Fatalf("printed %q", b.String())
		}
		return pw
	}
	first := password()
	second := password()
	us, err := db.Users(ctx)
	if err != nil || len(us) != len(demoAccounts) {
		t.Fatalf("users %+v %v", us, err)
	}
	for _, u := range us {
		_, hash, _ := db.PasswordHash(ctx, u.Name)
		if ok, _ := auth.VerifyPassword(hash, second); !ok {
			t.Errorf("%s: this run's password does not sign in", u.Name)
		}
		if ok, _ := auth.VerifyPassword(hash, first); ok && first != second {
			t.Errorf("%s: the last run's password still signs in", u.Name)
		}
	}
	if u, _ := db.User(ctx, "liaison-ua"); u.Role != truce.RoleLiaison || u.Party != "UA" {
		t.Errorf("liaison-ua = %+v", u)
	}
}

// TestSignInEndToEnd: a user made with `truce user add` and `truce user
// passwd` works against the real server: the token as a bearer, the
// password through sign-in, the session cookie with its CSRF token.
func TestSignInEndToEnd(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "testdata/terms.json", "--db", dsn); code != 0 {
		t.Fatalf("terms import: %s", errOut)
	}
	_, out, errOut := runTruce(t, "", "user", "add", "mona", "--role", "admin", "--db", dsn)
	tok := strings.TrimSpace(out)
	if !auth.IsToken(tok) {
		t.Fatalf("user add: %q %s", out, errOut)
	}
	if code, _, errOut := runTruce(t, "a good long password\n", "user", "passwd", "mona", "--db", dsn); code != 0 {
		t.Fatalf("passwd: %s", errOut)
	}
	s := startServer(t, dsn)
	base := s.URL() + "api/v1/"
	do := func(method, path, body string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := do("GET", "auth/me", "", "Authorization", "Bearer "+tok); resp.StatusCode != 200 || !strings.Contains(body, `"mona"`) {
		t.Fatalf("me with the token: %d %s", resp.StatusCode, body)
	}
	resp, body := do("POST", "auth/login", `{"username":"mona","password":"a good long password"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(body), &login); err != nil || login.CSRFToken == "" {
		t.Fatalf("login body %s", body)
	}
	cookie := resp.Header.Get("Set-Cookie")
	name, rest, _ := strings.Cut(cookie, "=")
	value, _, _ := strings.Cut(rest, ";")
	party := `{"code":"MD","name":"Moldova"}`
	if resp, body := do("POST", "parties", party, "Cookie", name+"="+value); resp.StatusCode != 403 {
		t.Errorf("cookie write without CSRF token: %d %s", resp.StatusCode, body)
	}
	if resp, body := do("POST", "parties", party, "Cookie", name+"="+value, "X-CSRF-Token", login.CSRFToken); resp.StatusCode != 201 {
		t.Errorf("cookie write with CSRF token: %d %s", resp.StatusCode, body)
	}
	// Revoked, the token no longer opens anything.
	if code, _, errOut := runTruce(t, "", "token", "revoke", tok, "--db", dsn); code != 0 {
		t.Fatalf("revoke: %s", errOut)
	}
	if resp, _ := do("GET", "auth/me", "", "Authorization", "Bearer "+tok); resp.StatusCode != 401 {
		t.Errorf("revoked token: %d", resp.StatusCode)
	}
}

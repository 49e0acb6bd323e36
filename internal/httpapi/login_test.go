package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// login signs in as name from addr and returns the response.
func (e *testEnv) login(name, password, addr string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"`+name+`","password":"`+password+`"}`))
	r.RemoteAddr = addr
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// withCookie sends a request with the session cookie and, if csrf is
// not "", the CSRF header.
func (e *testEnv) withCookie(method, path, body string, cookie *http.Cookie, csrf string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.AddCookie(cookie)
	if csrf != "" {
		r.Header.Set(csrfHeader, csrf)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func sessionCookieOf(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", w.Header())
	return nil
}

func TestLoginSessionAndCSRF(t *testing.T) {
	e := newTestEnv(t, Config{})
	w := e.login("admin-user", testPassword, "192.0.2.1:1234")
	res := decode[loginResponse](t, w, 200)
	if res.User.Name != "admin-user" || res.User.Role != truce.RoleAdmin || res.CSRFToken == "" {
		t.Fatalf("login answered %+v", res)
	}
	c := sessionCookieOf(t, w)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", c)
	}

	me := decode[loginResponse](t, e.withCookie("GET", "/api/v1/auth/me", "", c, ""), 200)
	if me.User.Name != "admin-user" || me.CSRFToken != res.CSRFToken {
		t.Errorf("me = %+v", me)
	}

	party := `{"code":"MD","name":"Moldova"}`
	// A write signed in by the cookie without the CSRF token is refused,
	// with a wrong one too; with the right one it goes through.
	wantError(t, e.withCookie("POST", "/api/v1/parties", party, c, ""), 403, truce.EFORBIDDEN, "")
	wantError(t, e.withCookie("POST", "/api/v1/parties", party, c, res.CSRFToken+"x"), 403, truce.EFORBIDDEN, "")
	if _, err := e.db.Party(t.Context(), "MD"); truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Fatalf("a refused write wrote: %v", err)
	}
	if w := e.withCookie("POST", "/api/v1/parties", party, c, res.CSRFToken); w.Code != 201 {
		t.Fatalf("write with the CSRF token: %d %s", w.Code, w.Body)
	}
	// A bearer token needs no CSRF token.
	if w := e.do(truce.RoleAdmin, "POST", "/api/v1/parties", `{"code":"GE","name":"Georgia"}`); w.Code != 201 {
		t.Fatalf("bearer write: %d %s", w.Code, w.Body)
	}

	// Sign-out without the CSRF token acts for no one: the session lives
	// on (a forged sign-out cannot end it). With the token it ends, and
	// the cookie is worthless.
	if w := e.withCookie("POST", "/api/v1/auth/logout", "", c, ""); w.Code != 204 {
		t.Fatalf("logout without the CSRF token: %d", w.Code)
	}
	decode[loginResponse](t, e.withCookie("GET", "/api/v1/auth/me", "", c, ""), 200)
	// Signing in again while signed in needs no CSRF token either.
	if w := e.withCookie("POST", "/api/v1/auth/login", `{"username":"analyst-user","password":"`+testPassword+`"}`, c, ""); w.Code != 200 {
		t.Fatalf("second sign-in with a session cookie: %d %s", w.Code, w.Body)
	}
	if w := e.withCookie("POST", "/api/v1/auth/logout", "", c, res.CSRFToken); w.Code != 204 {
		t.Fatalf("logout %d %s", w.Code, w.Body)
	}
	wantError(t, e.withCookie("GET", "/api/v1/auth/me", "", c, ""), 401, truce.EUNAUTHORIZED, "")
	// A stale cookie still reads public pages.
	if w := e.withCookie("GET", "/api/v1/parties", "", c, ""); w.Code != 200 {
		t.Errorf("public read with a stale cookie: %d", w.Code)
	}

	// Sessions expire.
	w = e.login("monitor-user", testPassword, "192.0.2.1:1234")
	c = sessionCookieOf(t, w)
	e.clock.Add(sessionTTL + time.Second)
	wantError(t, e.withCookie("GET", "/api/v1/auth/me", "", c, ""), 401, truce.EUNAUTHORIZED, "")
}

func TestLoginFailures(t *testing.T) {
	e := newTestEnv(t, Config{})
	wantError(t, e.login("admin-user", "wrong password!", "192.0.2.1:1"), 401, truce.EUNAUTHORIZED, "")
	wantError(t, e.login("nobody", testPassword, "192.0.2.1:1"), 401, truce.EUNAUTHORIZED, "")
	if w := e.login("admin-user", "wrong password!", "192.0.2.1:1"); len(w.Result().Cookies()) != 0 {
		t.Error("a failed sign-in set a cookie")
	}
	wantError(t, e.do(truce.RolePublic, "POST", "/api/v1/auth/login", `{"username":"a","pasword":"x"}`), 400, truce.EINVALID, "pasword")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/auth/me", ""), 401, truce.EUNAUTHORIZED, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/parties", "", "Authorization", "Bearer truce_nope"), 401, truce.EUNAUTHORIZED, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/parties", "", "Authorization", "Basic YTpi"), 401, truce.EUNAUTHORIZED, "")
}

func TestLoginRateLimit(t *testing.T) {
	e := newTestEnv(t, Config{LoginLimits: LoginLimits{PerUser: 3, PerAddr: 5, Window: time.Minute}})
	for i := range 3 {
		wantError(t, e.login("analyst-user", "wrong password "+string(rune('a'+i)), "192.0.2.1:1"), 401, truce.EUNAUTHORIZED, "")
	}
	// The fourth attempt is refused even with the right password, from
	// anywhere, until the window ends.
	w := e.login("analyst-user", testPassword, "198.51.100.7:1")
	wantError(t, w, 429, truce.ERATELIMIT, "")
	if got := w.Header().Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After %q, want 60", got)
	}
	// Another user from another address is not affected.
	if w := e.login("monitor-user", testPassword, "198.51.100.7:1"); w.Code != 200 {
		t.Errorf("another user: %d", w.Code)
	}
	e.clock.Add(45 * time.Second)
	if got := e.login("analyst-user", testPassword, "198.51.100.7:1").Header().Get("Retry-After"); got != "15" {
		t.Errorf("Retry-After after 45 s %q, want 15", got)
	}
	e.clock.Add(15 * time.Second)
	if w := e.login("analyst-user", testPassword, "198.51.100.7:1"); w.Code != 200 {
		t.Errorf("after the window: %d %s", w.Code, w.Body)
	}

	// Per address: five failures over different names from one address
	// lock that address out, for every name.
	for i := range 5 {
		e.login("guess"+string(rune('a'+i)), "wrong password", "203.0.113.9:1")
	}
	wantError(t, e.login("admin-user", testPassword, "203.0.113.9:1"), 429, truce.ERATELIMIT, "")
	if w := e.login("admin-user", testPassword, "192.0.2.55:1"); w.Code != 200 {
		t.Errorf("admin from another address: %d", w.Code)
	}
}

// TestTrustedProxies: X-Forwarded-For names the client only when the
// connection comes from a trusted proxy; otherwise anyone could pick an
// address to dodge the sign-in limit.
func TestTrustedProxies(t *testing.T) {
	s := New(Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	tests := []struct {
		remote, xff, proto string
		client             string
		https              bool
	}{
		{"192.0.2.1:5", "", "", "192.0.2.1", false},
		{"192.0.2.1:5", "203.0.113.9", "https", "192.0.2.1", false}, // untrusted peer: headers ignored
		{"10.1.2.3:5", "203.0.113.9", "https", "203.0.113.9", true},
		{"10.1.2.3:5", "198.51.100.1, 203.0.113.9, 10.9.9.9", "http", "203.0.113.9", false},
		{"10.1.2.3:5", "", "", "10.1.2.3", false},
		{"10.1.2.3:5", "garbage, 203.0.113.9", "", "203.0.113.9", false},
		{"10.1.2.3:5", "203.0.113.9, garbage", "", "10.1.2.3", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		if got := s.clientIP(r).String(); got != tt.client {
			t.Errorf("%s XFF %q: client %s, want %s", tt.remote, tt.xff, got, tt.client)
		}
		if got := s.isHTTPS(r); got != tt.https {
			t.Errorf("%s proto %q: https %v, want %v", tt.remote, tt.proto, got, tt.https)
		}
	}
}

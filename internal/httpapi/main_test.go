package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/store"
)

// testRoles are the callers the tests act as: the public ("") and one
// user of each role. The liaison speaks for UA.
var testRoles = []truce.Role{truce.RolePublic, truce.RoleAdmin, truce.RoleMonitor, truce.RoleLiaison, truce.RoleAnalyst}

// cheapParams keep password hashing fast in tests; verification reads
// the cost from the stored hash, so the code paths are the real ones.
var cheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEnv is a server on a fresh SQLite store with parties UA and RU and
// one user per role, each with an API token.
type testEnv struct {
	t      *testing.T
	db     *store.DB
	dbPath string
	srv    *Server
	h      http.Handler
	clock  *testClock
	tokens map[truce.Role]string
	users  map[truce.Role]truce.User
}

func newTestEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	ctx := context.Background()
	clk := &testClock{t: time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "truce.db")
	db, err := store.Open(ctx, path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, p := range []truce.Party{
		{Code: "UA", Name: "Ukraine", Aliases: []string{"Military Forces of Ukraine"}},
		{Code: "RU", Name: "Russia", Aliases: []string{"Military Forces of Russia"}},
	} {
		if _, err := db.PutParty(ctx, p, "test"); err != nil {
			t.Fatal(err)
		}
	}
	e := &testEnv{t: t, db: db, dbPath: path, clock: clk, tokens: map[truce.Role]string{}, users: map[truce.Role]truce.User{}}
	hash, err := auth.HashPassword(testPassword, cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range truce.Roles {
		u := truce.User{Name: string(role) + "-user", Role: role}
		if role == truce.RoleLiaison {
			u.Party = "UA"
		}
		if err := db.CreateUser(ctx, &u, hash, "test"); err != nil {
			t.Fatal(err)
		}
		tok, h, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, u.ID, h); err != nil {
			t.Fatal(err)
		}
		e.tokens[role], e.users[role] = tok, u
	}
	cfg.DB, cfg.Now = db, clk.Now
	e.srv = New(cfg)
	e.h = e.srv.Handler()
	return e
}

// do sends a request as role (RolePublic: no credentials) and returns
// the response.
func (e *testEnv) do(role truce.Role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if tok := e.tokens[role]; tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// decode reads a JSON response into v, failing the test on a status
// other than want.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder, want int) T {
	t.Helper()
	var v T
	if w.Code != want {
		t.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return v
}

// wantError checks an error response's status, code and field.
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code, field string) {
	t.Helper()
	b := decode[errorBody](t, w, status)
	if b.Code != code || b.Field != field {
		t.Errorf("error %+v, want code %q field %q", b, code, field)
	}
}

package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestErrorStatus(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{truce.EINVALID, 400},
		{truce.EUNAUTHORIZED, 401},
		{truce.EFORBIDDEN, 403},
		{truce.ENOTFOUND, 404},
		{codeMethodNotAllowed, 405},
		{codeUnavailable, 503},
		{truce.ECONFLICT, 409},
		{truce.ETOOLARGE, 413},
		{truce.ERATELIMIT, 429},
		{truce.EINTERNAL, 500},
		{"", 500},
		{"something new", 500},
	}
	for _, tt := range tests {
		if got := errorStatus(tt.code); got != tt.want {
			t.Errorf("errorStatus(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		body   errorBody
	}{
		{"invalid with field", fmt.Errorf("wrapped: %w", truce.Invalid("window.tz", "unknown time zone %q", "X")), 400,
			errorBody{Code: "invalid", Message: `window.tz: unknown time zone "X"`, Field: "window.tz"}},
		{"not found", truce.Errorf(truce.ENOTFOUND, "agreement %q not found", "x"), 404,
			errorBody{Code: "not_found", Message: `agreement "x" not found`}},
		{"internal hides details", errors.New("pq: password authentication failed for user secret"), 500,
			errorBody{Code: "internal", Message: "internal error"}},
		{"unknown code hides details", &truce.Error{Code: "weird", Message: "db path /var/x"}, 500,
			errorBody{Code: "internal", Message: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{})
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest("GET", "/x", nil), tt.err)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			var got errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.body {
				t.Errorf("body %+v, want %+v", got, tt.body)
			}
			if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "/var/x") {
				t.Errorf("internals leaked: %s", w.Body.String())
			}
		})
	}
}

// TestNoRoute checks the answers for paths and methods no route serves;
// none of these touch the store, so the server has none.
func TestNoRoute(t *testing.T) {
	h := New(Config{}).Handler()
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/nope", 404, ""},
		{"GET", "/api/v1/", 404, ""},
		{"GET", "/api/v1/agreements/a/b", 404, ""},
		{"DELETE", "/api/v1/agreements", 405, "GET, POST"},
		{"PUT", "/api/v1/agreements/x", 405, "GET"},
		{"POST", "/", 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if got := w.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("%v: %s", err, w.Body.String())
			}
			if wantCode := map[int]string{404: "not_found", 405: "method_not_allowed"}[tt.status]; body.Code != wantCode {
				t.Errorf("code %q, want %q", body.Code, wantCode)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	w := httptest.NewRecorder()
	New(Config{Version: "truce 1.2.3"}).Handler().ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{"Truce is running", `href="/api/v1/agreements"`, `href="/healthz"`, `href="/api/docs"`, "truce 1.2.3"} {
		if !strings.Contains(body, want) {
			t.Errorf("start page lacks %q", want)
		}
	}
	if strings.Contains(body, "://") {
		t.Error("start page loads or links something from elsewhere")
	}
}

func TestRecoverPanics(t *testing.T) {
	s := New(Config{})
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom at /secret/path") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("panic answered %d %s, want a plain 500", w.Code, w.Body.String())
	}
}

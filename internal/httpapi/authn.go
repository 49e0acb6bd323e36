package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
)

// sessionCookie holds the session secret of a signed-in browser.
const sessionCookie = "truce_session"

// csrfHeader carries the session's CSRF token on cookie-authenticated
// writes.
const csrfHeader = "X-CSRF-Token"

// authenticate returns the caller of r, or nil for the public.
//
// An API client sends Authorization: Bearer TOKEN; a bad or revoked token
// is EUNAUTHORIZED rather than the public, so that a client notices. A
// browser sends the session cookie; an unknown or expired session is the
// public (a stale cookie must not lock anyone out of public pages), and a
// write signed in by the cookie must carry the session's CSRF token
// (EFORBIDDEN otherwise), which another site's page cannot know.
func (s *Server) authenticate(r *http.Request) (*truce.User, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		tok = strings.TrimSpace(tok)
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return nil, truce.Errorf(truce.EUNAUTHORIZED, "the Authorization header must be \"Bearer TOKEN\"")
		}
		u, err := s.db.TokenUser(ctx, auth.Hash(tok))
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, err := s.db.SessionUser(ctx, auth.Hash(c.Value))
	if truce.ErrorCode(err) == truce.EUNAUTHORIZED {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !safeMethod(r.Method) && !auth.CheckCSRF(c.Value, r.Header.Get(csrfHeader)) {
		return nil, errCSRF
	}
	return &u, nil
}

// errCSRF refuses a write signed in by the session cookie without the
// session's CSRF token. On a route open to the public (signing in again,
// signing out) such a request goes on as the public's instead: it then
// acts for no one, so a forged one can do no harm.
var errCSRF = truce.Errorf(truce.EFORBIDDEN, "a write signed in by the session cookie needs the %s header (the csrf_token of sign-in or of GET /api/v1/auth/me)", csrfHeader)

// safeMethod reports whether a method only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionOf returns the session secret r was signed in by, "" when it
// came with a bearer token or none.
func sessionOf(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		return ""
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// withCaller returns ctx with the signed-in user.
func withCaller(ctx context.Context, u *truce.User) context.Context {
	return context.WithValue(ctx, callerKey{}, u)
}

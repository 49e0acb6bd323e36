package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
)

// LoginLimits bound failed sign-ins: per user name and per client
// address, so that neither one name's password nor many names from one
// address can be guessed quickly.
type LoginLimits struct {
	PerUser, PerAddr int
	Window           time.Duration
}

// DefaultLoginLimits: 10 failures per name and 50 per address in 15
// minutes, then wait for the window to end.
var DefaultLoginLimits = LoginLimits{PerUser: 10, PerAddr: 50, Window: 15 * time.Minute}

// sessionTTL is how long a sign-in lasts: a working day and then some.
const sessionTTL = 12 * time.Hour

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      truce.User `json:"user"`
	CSRFToken string     `json:"csrf_token,omitempty"` // send as X-CSRF-Token on writes signed in by the cookie
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// dummyHash is verified against when the user does not exist, so that
// an unknown name takes as long to refuse as a wrong password and the
// answer's timing does not tell which names exist. It is made on first
// use: every command of the binary would pay for it at start otherwise.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("no such user, no such password", auth.DefaultParams)
	return h
})

// handleLogin checks a user name and password and starts a session: the
// cookie, and the CSRF token in the body.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Username == "" {
		s.writeError(w, r, truce.Invalid("username", "required"))
		return
	}
	userKey, addrKey := "user "+req.Username, "addr "+s.clientIP(r).String()
	if wait := max(s.userLimit.Wait(userKey), s.addrLimit.Wait(addrKey)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.writeError(w, r, truce.Errorf(truce.ERATELIMIT, "too many failed sign-ins: try again in %s", wait.Round(time.Second)))
		return
	}
	ctx := r.Context()
	u, hash, err := s.db.PasswordHash(ctx, req.Username)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		s.writeError(w, r, err)
		return
	}
	ok := false
	if err == nil && hash != "" && !u.Disabled {
		if ok, err = auth.VerifyPassword(hash, req.Password); err != nil {
			s.logger.ErrorContext(ctx, "malformed password hash", "user", u.Name, "err", err)
			ok = false
		}
	} else {
		auth.VerifyPassword(dummyHash(), req.Password)
	}
	if !ok {
		s.userLimit.Fail(userKey)
		s.addrLimit.Fail(addrKey)
		s.logger.WarnContext(ctx, "sign-in failed", "user", req.Username, "addr", s.clientIP(r).String())
		s.writeError(w, r, truce.Errorf(truce.EUNAUTHORIZED, "wrong user name or password"))
		return
	}
	secret, sh, err := auth.NewSession()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	expires := s.now().Add(sessionTTL).UTC().Truncate(time.Second)
	if err := s.db.CreateSession(ctx, u.ID, sh, expires); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/",
		Expires: expires, MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: s.isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
	s.writeJSON(w, r, http.StatusOK, loginResponse{User: u, CSRFToken: auth.CSRFToken(secret), ExpiresAt: &expires})
}

// handleLogout ends the caller's session, if it has one, and clears the
// cookie. It needs the CSRF token like any cookie-authenticated write,
// so that another site cannot sign people out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if secret := sessionOf(r); secret != "" && caller(r.Context()) != nil {
		if err := s.db.DeleteSession(r.Context(), auth.Hash(secret)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.isHTTPS(r), SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// handleMe returns the caller, and for a browser session its CSRF token
// (a page loaded after sign-in reads it here).
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	out := loginResponse{User: *caller(r.Context())}
	if secret := sessionOf(r); secret != "" {
		out.CSRFToken = auth.CSRFToken(secret)
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

var loginDocs = map[string]op{
	"POST /api/v1/auth/login": {Summary: "Sign in with a user name and password",
		Description: "Sets the session cookie and returns the session's csrf_token, to send as X-CSRF-Token on every write signed in by the cookie. " +
			"Failed attempts are limited per user name and per client address: 429 with Retry-After.",
		Body: loginRequest{}, Response: loginResponse{}},
	"POST /api/v1/auth/logout": {Summary: "Sign out: end the session and clear the cookie", Status: http.StatusNoContent},
	"GET /api/v1/auth/me":      {Summary: "The signed-in user (and the session's csrf_token)", Response: loginResponse{}},
}

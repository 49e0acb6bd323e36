package httpapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/truce-monitor/truce"
)

// policy says who may call a route. Every route is registered with one
// (see handle), so the whole authorization matrix is the list of handle
// calls and is enforced here, in one place. Finer rules that depend on
// the record (a liaison writing only for its own party, the public seeing
// only verified incidents) are the handler's, and are tested with it.
type policy struct {
	public bool         // anonymous callers are let in
	roles  []truce.Role // signed-in roles that are let in
}

var (
	// anyone: the public and every signed-in role.
	anyone = policy{public: true, roles: truce.Roles}
	// signedIn: every signed-in role, not the public.
	signedIn = policy{roles: truce.Roles}
	// adminOnly: admins.
	adminOnly = policy{roles: []truce.Role{truce.RoleAdmin}}
	// monitors: monitors and admins.
	monitors = policy{roles: []truce.Role{truce.RoleAdmin, truce.RoleMonitor}}
	// monitorsOnly: monitors alone, not admins: admins manage the mission,
	// monitors judge incidents (verify, dispute, reject; issue #5 and
	// incident.MayTransition).
	monitorsOnly = policy{roles: []truce.Role{truce.RoleMonitor}}
	// reporters: those who may file reports (a liaison for its own party).
	reporters = policy{roles: []truce.Role{truce.RoleAdmin, truce.RoleMonitor, truce.RoleLiaison}}
	// liaisons: liaisons only (replies on behalf of their party).
	liaisons = policy{roles: []truce.Role{truce.RoleLiaison}}
)

// allows reports whether the caller (nil for the public) may pass.
func (p policy) allows(u *truce.User) bool {
	if u == nil {
		return p.public
	}
	return slices.Contains(p.roles, u.Role)
}

// routePolicy is one row of the authorization matrix, kept so that tests
// and the OpenAPI document can walk every route.
type routePolicy struct {
	Pattern string
	Policy  policy
}

// handle registers h for pattern behind policy p.
func (s *Server) handle(pattern string, p policy, h http.HandlerFunc) {
	s.matrix = append(s.matrix, routePolicy{Pattern: pattern, Policy: p})
	s.mux.Handle(pattern, s.authorize(p, h))
}

// authorize lets a request through to h only if p allows its caller:
// 401 when no one is signed in and the route needs someone, 403 when the
// caller's role is not allowed.
func (s *Server) authorize(p policy, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err == errCSRF && p.public {
			u, err = nil, nil
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !p.allows(u) {
			if u == nil {
				s.writeError(w, r, truce.Errorf(truce.EUNAUTHORIZED, "sign in to %s %s", r.Method, r.URL.Path))
				return
			}
			s.writeError(w, r, truce.Errorf(truce.EFORBIDDEN, "a %s may not %s %s", u.Role, r.Method, r.URL.Path))
			return
		}
		if u != nil {
			r = r.WithContext(withCaller(r.Context(), u))
		}
		h.ServeHTTP(w, r)
	})
}

type callerKey struct{}

// caller returns the signed-in user of a request that passed authorize,
// or nil for the public.
func caller(ctx context.Context) *truce.User {
	u, _ := ctx.Value(callerKey{}).(*truce.User)
	return u
}

package httpapi

import (
	"net/http"
	"strings"

	"github.com/truce-monitor/truce"
)

// routes registers every route of the server, so that the whole HTTP
// surface can be read in one place.
func (s *Server) routes() {
	if s.web == nil {
		s.mux.HandleFunc("GET /{$}", s.handleIndex)
	}
	s.mux.HandleFunc("GET /healthz", s.handleHealth)

	s.handle("GET /api/v1/openapi.json", anyone, s.handleOpenAPI)
	s.handle("GET /api/docs", anyone, s.handleDocs)
	s.describeAll(openAPIDocs)

	s.handle("POST /api/v1/auth/login", anyone, s.handleLogin)
	s.handle("POST /api/v1/auth/logout", anyone, s.handleLogout)
	s.handle("GET /api/v1/auth/me", signedIn, s.handleMe)
	s.describeAll(loginDocs)

	s.handle("GET /api/v1/parties", anyone, s.handleParties)
	s.handle("GET /api/v1/parties/{code}", anyone, s.handleParty)
	s.handle("POST /api/v1/parties", adminOnly, s.handlePutParty)
	s.handle("GET /api/v1/agreements", anyone, s.handleAgreements)
	s.handle("GET /api/v1/agreements/{id}", anyone, s.handleAgreement)
	s.handle("POST /api/v1/agreements", adminOnly, s.handleCreateAgreement)
	s.handle("POST /api/v1/agreements/{id}/versions", adminOnly, s.handleAgreementVersion)
	s.handle("POST /api/v1/agreements/{id}/status", adminOnly, s.handleAgreementStatus)
	s.describeAll(partyDocs)
	s.describeAll(agreementDocs)

	s.handle("POST /api/v1/reports", reporters, s.handleCreateReport)
	s.handle("GET /api/v1/reports", signedIn, s.handleReports)
	s.handle("GET /api/v1/reports/{id}", signedIn, s.handleReport)
	s.describeAll(reportDocs)

	s.handle("GET /api/v1/incidents", anyone, s.handleIncidents)
	s.handle("GET /api/v1/incidents/{id}", anyone, s.handleIncident)
	s.handle("POST /api/v1/incidents/{id}/transitions", monitorsOnly, s.handleTransition)
	s.handle("POST /api/v1/incidents/{id}/replies", liaisons, s.handleReply)
	s.describeAll(incidentDocs)

	s.handle("GET /api/v1/findings", anyone, s.handleFindings)
	s.handle("GET /api/v1/claims", anyone, s.handleClaims)
	s.handle("GET /api/v1/claims/{id}", anyone, s.handleClaim)
	s.handle("POST /api/v1/claims", monitors, s.handleCreateClaim)
	s.handle("GET /api/v1/claims/{id}/evidence", anyone, s.handleClaimEvidence)
	s.handle("GET /api/v1/stats", anyone, s.handleStats)
	s.describeAll(findingDocs)
	s.describeAll(claimDocs)
	s.describeAll(statsDocs)

	// Each capability registers its routes in its own file, through
	// s.handle, so that they join the one authorization matrix.
	s.feedRoutes()        // feed.go: live stream, webhooks, exports
	s.negotiationRoutes() // negotiation.go: /api/v1/negotiation/...
	s.complianceRoutes()  // compliance.go: daily report, alert rules
	s.observationRoutes() // observation.go: sensor layers (FIRMS, alerts)

	// The tamper-evident log: checkpoint, checkpoints, entries, proofs, key
	// (internal/ledger routes the subtree itself). Open to anyone, but
	// behind authentication so that the entries' data can be withheld from
	// the public (LogWithhold) and a bad token is refused.
	if s.log != nil {
		s.mux.Handle("/api/v1/log/", s.authorize(anyone, s.log))
	}

	// Anything else: the web UI's pages and assets for GET and HEAD outside
	// /api/ (handleNoRoute), otherwise a JSON 404, or 405 when the path
	// exists for other methods.
	s.mux.HandleFunc("/", s.handleNoRoute)
}

// handleNoRoute answers requests that no route matches. The mux would
// reply in plain text; API clients get JSON instead.
func (s *Server) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	// The UI is reached through the catch-all rather than a "GET /" route,
	// which the mux would refuse beside the method-less log subtree.
	if s.web != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.URL.Path != "/api" && !strings.HasPrefix(r.URL.Path, "/api/") {
		s.web.ServeHTTP(w, r)
		return
	}
	if allow := s.allowedMethods(r); allow != "" {
		w.Header().Set("Allow", allow)
		s.writeError(w, r, &truce.Error{Code: codeMethodNotAllowed, Message: r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + allow + ")"})
		return
	}
	s.writeError(w, r, notFound("no route %s %s", r.Method, r.URL.Path))
}

// allowedMethods lists the methods that some route other than the
// catch-all accepts for r's path.
func (s *Server) allowedMethods(r *http.Request) string {
	var allow string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			if allow != "" {
				allow += ", "
			}
			allow += m
		}
	}
	return allow
}

package httpapi

import (
	"net/http"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/incident"
)

type claimsJSON struct {
	Claims     []truce.Claim `json:"claims"`
	NextCursor string        `json:"next_cursor"`
}

// claimIn is a claim as a client records it: without the server's fields.
type claimIn struct {
	Claimant     string        `json:"claimant"`
	Accused      string        `json:"accused"`
	AgreementID  string        `json:"agreement_id"`
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	Means        []truce.Means `json:"means"`
	Summary      string        `json:"summary"`
	Source       truce.Source  `json:"source"`
	Illustrative bool          `json:"illustrative"`
}

// handleClaims lists claims by id; to the public and liaisons without
// recorded_by (feed.Audience.RedactClaim).
func (s *Server) handleClaims(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.db.Claims(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, next := pageOf(cs, p, func(c truce.Claim) string { return idKey(c.ID) })
	aud := feed.AudienceOf(caller(r.Context()))
	for i := range cs {
		aud.RedactClaim(&cs[i])
	}
	s.writeJSON(w, r, http.StatusOK, claimsJSON{Claims: nonNil(cs), NextCursor: next})
}

// handleClaim returns one claim; to the public and liaisons without recorded_by.
func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.db.Claim(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	feed.AudienceOf(caller(r.Context())).RedactClaim(&c)
	s.writeJSON(w, r, http.StatusOK, c)
}

// handleCreateClaim records a claim: 201, or 200 with the stored one
// when the same claim (claimant, accused, period, summary) exists.
func (s *Server) handleCreateClaim(w http.ResponseWriter, r *http.Request) {
	var in claimIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	c := truce.Claim{Claimant: in.Claimant, Accused: in.Accused, AgreementID: in.AgreementID, From: in.From, To: in.To,
		Means: in.Means, Summary: in.Summary, Source: in.Source, Illustrative: in.Illustrative, RecordedBy: caller(ctx).Name}
	created, err := s.db.CreateClaim(ctx, &c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeJSON(w, r, status, c)
}

// handleClaimEvidence sets a claim beside what the record supports:
// claimed vs alleged vs corroborated vs verified. The public gets the
// counts, and the ids of verified incidents only.
func (s *Server) handleClaimEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.grouper()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ev, err := s.db.ClaimEvidence(r.Context(), g, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if caller(r.Context()) == nil {
		ev.Reports.IDs, ev.Alleged.IDs, ev.Corroborated.IDs = nil, nil, nil
	}
	s.writeJSON(w, r, http.StatusOK, ev)
}

// grouperOnce builds the incident rules' Grouper once: with the
// gazetteer it indexes every admin-1 unit, which is not free.
type grouperOnce struct {
	once sync.Once
	g    *incident.Grouper
	err  error
}

func (s *Server) grouper() (*incident.Grouper, error) {
	s.grouperOnce.once.Do(func() {
		s.grouperOnce.g, s.grouperOnce.err = incident.NewGrouper(s.gz, incident.DefaultRules())
	})
	return s.grouperOnce.g, s.grouperOnce.err
}

var claimDocs = map[string]op{
	"GET /api/v1/claims": {Summary: "List claims (aggregate accusations) by id", Paged: true, Response: claimsJSON{},
		Description: "The public and party liaisons get them without recorded_by (the monitor's account name)."},
	"GET /api/v1/claims/{id}": {Summary: "One claim", Response: truce.Claim{},
		Description: "The public and party liaisons get it without recorded_by (the monitor's account name)."},
	"POST /api/v1/claims": {Summary: "Record a claim", Description: "201, or 200 with the stored claim when it was recorded before.",
		Body: claimIn{}, Response: truce.Claim{}, Status: http.StatusCreated},
	"GET /api/v1/claims/{id}/evidence": {Summary: "A claim beside the evidence: claimed vs alleged vs corroborated vs verified",
		Description: "Reports and incidents accusing the same party in the claim's period and its agreement's area, by status, with verdicts. " +
			"The public gets the counts and the ids of verified incidents only.",
		Response: incident.ClaimEvidence{}},
}

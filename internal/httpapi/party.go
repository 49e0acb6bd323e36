package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
)

type partiesJSON struct {
	Parties    []truce.Party `json:"parties"`
	NextCursor string        `json:"next_cursor"`
}

// handleParties lists parties in the order they were added.
func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	parties, err := s.db.Parties(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, next := pageOf(parties, p, func(p truce.Party) string { return p.Code })
	s.writeJSON(w, r, http.StatusOK, partiesJSON{Parties: nonNil(out), NextCursor: next})
}

// handleParty returns one party; ENOTFOUND is a 404.
func (s *Server) handleParty(w http.ResponseWriter, r *http.Request) {
	p, err := s.db.Party(r.Context(), r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}

// handlePutParty adds a party (201) or changes its name or aliases (200,
// a new logged version; unchanged, nothing is written).
func (s *Server) handlePutParty(w http.ResponseWriter, r *http.Request) {
	var p truce.Party
	if err := s.decodeJSON(w, r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	_, existed := s.db.Party(ctx, p.Code)
	if _, err := s.db.PutParty(ctx, p, caller(ctx).Name); err != nil {
		s.writeError(w, r, err)
		return
	}
	stored, err := s.db.Party(ctx, p.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if truce.ErrorCode(existed) == truce.ENOTFOUND {
		status = http.StatusCreated
	}
	s.writeJSON(w, r, status, stored)
}

var partyDocs = map[string]op{
	"GET /api/v1/parties":        {Summary: "List parties with their actor aliases", Paged: true, Response: partiesJSON{}},
	"GET /api/v1/parties/{code}": {Summary: "One party", Response: truce.Party{}},
	"POST /api/v1/parties": {Summary: "Add a party, or change its name or aliases (a new logged version)",
		Description: "201 when the party is new, 200 otherwise.", Body: truce.Party{}, Response: truce.Party{}, Status: http.StatusCreated},
}

package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
)

// handleParties lists every party.
func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) {
	parties, err := s.db.Parties(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if parties == nil {
		parties = []truce.Party{}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"parties": parties})
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

var partyDocs = map[string]op{
	"GET /api/v1/parties":        {Summary: "List parties with their actor aliases", Response: map[string][]truce.Party{}},
	"GET /api/v1/parties/{code}": {Summary: "One party", Response: truce.Party{}},
}

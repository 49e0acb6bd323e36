package httpapi

import (
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

type findingsJSON struct {
	Findings   []truce.Finding `json:"findings"`
	NextCursor string          `json:"next_cursor"`
}

// handleFindings lists the current findings against an agreement. The
// public sees the published ones: those on verified incidents.
func (s *Server) handleFindings(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.URL.Query().Get("agreement")
	if id == "" {
		s.writeError(w, r, truce.Invalid("agreement", "required: the agreement the findings are against"))
		return
	}
	ctx := r.Context()
	if _, err := s.db.Agreement(ctx, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	fs, err := s.db.Findings(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if caller(ctx) == nil {
		verified, err := s.verifiedIncidents(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var pub []truce.Finding
		for _, f := range fs {
			if f.SubjectKind == store.SubjectIncident && verified[f.SubjectID] {
				pub = append(pub, f)
			}
		}
		fs = pub
	}
	fs, next := pageOf(fs, p, func(f truce.Finding) string { return f.SubjectKind + ":" + strconv.FormatInt(f.SubjectID, 10) })
	s.writeJSON(w, r, http.StatusOK, findingsJSON{Findings: nonNil(fs), NextCursor: next})
}

// verifiedIncidents returns the ids of the verified incidents.
func (s *Server) verifiedIncidents(r *http.Request) (map[int64]bool, error) {
	incs, err := s.db.Incidents(r.Context(), store.IncidentFilter{Status: truce.IncidentVerified})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(incs))
	for _, inc := range incs {
		out[inc.ID] = true
	}
	return out, nil
}

var findingDocs = map[string]op{
	"GET /api/v1/findings": {Summary: "Current findings against an agreement",
		Description: "The adjudication engine's verdicts (violation, uncertain, outside) on reports and incidents. " +
			"The public sees the published ones: findings on verified incidents.",
		Paged: true, Response: findingsJSON{},
		Params: []param{{Name: "agreement", Required: true, Description: "the agreement id"}}},
}

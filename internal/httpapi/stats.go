package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// handleStats counts incidents by party, domain, admin-1 unit or day,
// with their statuses and, against an agreement, their verdicts. The
// public's counts are of verified incidents only, so that no count of
// one reveals an unverified incident.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.StatsFilter{AgreementID: q.Get("agreement"), Group: q.Get("group")}
	if f.Group == "" {
		f.Group = store.GroupParty
	}
	var err error
	if f.From, f.To, err = queryRange(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if caller(r.Context()) == nil {
		f.Statuses = []truce.IncidentStatus{truce.IncidentVerified}
	}
	st, err := s.db.Stats(r.Context(), f)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		err = truce.Invalid("agreement", "unknown agreement %q", f.AgreementID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, st)
}

var statsDocs = map[string]op{
	"GET /api/v1/stats": {Summary: "Incident counts by party, domain, admin-1 unit or day",
		Description: "By status, and by verdict when an agreement is given (then only incidents judged a violation or uncertain, " +
			"by the party held responsible). The public's counts are of verified incidents only. " +
			"A statistic is one row per group, not a list of records: it is not paginated.",
		Params: []param{
			{Name: "agreement", Description: "an agreement id"},
			fromParam, toParam,
			{Name: "group", Enum: store.StatsGroups, Description: "default party"},
		},
		Response: store.Stats{}},
}

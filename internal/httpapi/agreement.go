package httpapi

import (
	"net/http"
	"time"

	"github.com/truce-monitor/truce"
)

// agreementJSON is an agreement as the API shows it: the terms as given,
// with the window also resolved to UTC instants so that clients need no
// time-zone database. Its Window shadows the embedded one.
type agreementJSON struct {
	truce.Agreement
	Window windowJSON `json:"window"`
}

// windowJSON is a window in its own zone and in UTC. EndUTC is null for an
// open-ended window.
type windowJSON struct {
	Start    string     `json:"start"`
	End      *string    `json:"end"`
	TZ       string     `json:"tz"`
	StartUTC *time.Time `json:"start_utc"`
	EndUTC   *time.Time `json:"end_utc"`
}

// agreementDetailJSON adds an agreement's history: every version, oldest
// first, and every status change.
type agreementDetailJSON struct {
	agreementJSON
	Versions      []agreementJSON      `json:"versions"`
	StatusHistory []truce.StatusChange `json:"status_history"`
}

func newAgreementJSON(a truce.Agreement) agreementJSON {
	w := windowJSON{Start: a.Window.Start, End: a.Window.End, TZ: a.Window.TZ}
	// Stored agreements were validated on the way in, so Resolve only fails
	// on a zone database older than the one that accepted them; the UTC
	// fields then stay null rather than failing the whole listing.
	if start, end, err := a.Window.Resolve(); err == nil {
		w.StartUTC = &start
		if !end.IsZero() {
			w.EndUTC = &end
		}
	}
	return agreementJSON{Agreement: a, Window: w}
}

// handleAgreements lists the latest version of every agreement.
func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	as, err := s.db.Agreements(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]agreementJSON, len(as))
	for i, a := range as {
		out[i] = newAgreementJSON(a)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"agreements": out})
}

// handleAgreement returns the latest version of one agreement with its
// versions and status history; ENOTFOUND is a 404.
func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	a, err := s.db.Agreement(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	versions, err := s.db.AgreementVersions(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	history, err := s.db.StatusHistory(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := agreementDetailJSON{
		agreementJSON: newAgreementJSON(a),
		Versions:      make([]agreementJSON, len(versions)),
		StatusHistory: history,
	}
	for i, v := range versions {
		out.Versions[i] = newAgreementJSON(v)
	}
	if out.StatusHistory == nil {
		out.StatusHistory = []truce.StatusChange{}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

var agreementDocs = map[string]op{
	"GET /api/v1/agreements": {Summary: "List agreements (latest versions), windows also in UTC",
		Response: map[string][]agreementJSON{}},
	"GET /api/v1/agreements/{id}": {Summary: "One agreement with every version and its status history",
		Response: agreementDetailJSON{}},
}

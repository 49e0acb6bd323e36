package httpapi

import (
	"net/http"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// observationRoutes registers the sensor layers: FIRMS fire detections and
// air-raid alerts.
//
// They are public: both come from open data (NASA FIRMS, the public
// air-raid alert record) that anyone can download, so serving them hides
// nothing, and the public dashboard needs them to show what corroborates
// the verified incidents it sees. Unlike reports, they name no source
// person and carry no allegation.
func (s *Server) observationRoutes() {
	s.handle("GET /api/v1/observations", anyone, s.handleObservations)
	s.describeAll(observationDocs)
}

var observationDocs = map[string]op{
	"GET /api/v1/observations": {Summary: "List sensor observations (FIRMS fire detections, air-raid alerts), by id",
		Description: "Open data that corroborates incidents but is not an incident itself. " +
			"A fire is an instant at a point; an alert is an interval over an oblast (with a point at its centre when known).",
		Paged: true, Response: observationsJSON{},
		Params: []param{
			{Name: "kind", Enum: []string{truce.ObservationFire, truce.ObservationAlert}},
			fromParam, toParam,
			{Name: "bbox", Description: "west,south,east,north in degrees: only observations with a point inside; west > east crosses the antimeridian"},
		}},
}

type observationsJSON struct {
	Observations []truce.Observation `json:"observations"`
	NextCursor   string              `json:"next_cursor"`
}

// handleObservations lists observations by id, filtered, a page (at most
// maxLimit) at a time.
func (s *Server) handleObservations(w http.ResponseWriter, r *http.Request) {
	f, p, err := observationQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	obs, err := s.db.Observations(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	obs, next := trimPage(obs, p, func(o truce.Observation) string { return idKey(o.ID) })
	s.writeJSON(w, r, http.StatusOK, observationsJSON{Observations: nonNil(obs), NextCursor: next})
}

// observationQuery reads the filters and page of GET /observations.
func observationQuery(r *http.Request) (store.ObservationFilter, page, error) {
	var f store.ObservationFilter
	lw, err := queryListWindow(r)
	p := lw.page
	if err != nil {
		return f, p, err
	}
	f.AfterID, f.Limit, f.From, f.To, f.BBox = lw.afterID, lw.limit, lw.from, lw.to, lw.bbox
	switch k := r.URL.Query().Get("kind"); k {
	case "", truce.ObservationFire, truce.ObservationAlert:
		f.Kind = k
	default:
		return f, p, truce.Invalid("kind", "unknown observation kind %q (fire, alert)", k)
	}
	return f, p, nil
}

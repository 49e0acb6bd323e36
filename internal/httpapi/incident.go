package httpapi

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

type incidentsJSON struct {
	Incidents  []truce.Incident `json:"incidents"`
	NextCursor string           `json:"next_cursor"`
}

// handleIncidents lists incidents by id, filtered. The public sees only
// verified incidents: asking it for another status is EFORBIDDEN.
func (s *Server) handleIncidents(w http.ResponseWriter, r *http.Request) {
	f, p, err := s.incidentQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	incs, err := s.db.Incidents(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	incs, next := trimPage(incs, p, func(i truce.Incident) string { return idKey(i.ID) })
	s.writeJSON(w, r, http.StatusOK, incidentsJSON{Incidents: nonNil(incs), NextCursor: next})
}

// incidentQuery reads the filters and page of GET /incidents.
func (s *Server) incidentQuery(r *http.Request) (store.IncidentFilter, page, error) {
	var f store.IncidentFilter
	lw, err := queryListWindow(r)
	p := lw.page
	if err != nil {
		return f, p, err
	}
	f.AfterID, f.Limit, f.From, f.To, f.BBox = lw.afterID, lw.limit, lw.from, lw.to, lw.bbox
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if !slices.Contains(truce.IncidentStatuses, truce.IncidentStatus(v)) {
			return f, p, truce.Invalid("status", "unknown status %q", v)
		}
		f.Status = truce.IncidentStatus(v)
	}
	if caller(r.Context()) == nil {
		if f.Status != "" && f.Status != truce.IncidentVerified {
			return f, p, &truce.Error{Code: truce.EFORBIDDEN, Field: "status", Message: "the public sees verified incidents only"}
		}
		f.Status = truce.IncidentVerified
	}
	f.Party = q.Get("party")
	f.AgreementID = q.Get("agreement")
	return f, p, nil
}

// handleIncident returns an incident with why each report belongs to
// it, its corroboration, history and replies. An incident the public may
// not see is a 404 to it, so that its existence does not show.
func (s *Server) handleIncident(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.db.IncidentDetail(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if caller(r.Context()) == nil {
		if d.Status != truce.IncidentVerified {
			s.writeError(w, r, notFound("incident %d not found", id))
			return
		}
		d = publicIncident(d)
	}
	// The names of the monitors in its history and of the repliers, as
	// the caller may read them (feed.Audience: a liaison reads its own
	// party's repliers only, the public no one).
	feed.AudienceOf(caller(r.Context())).RedactIncident(&d)
	s.writeJSON(w, r, http.StatusOK, d)
}

// reasonSourceKey matches a source key and the opening of its reports'
// list in a corroboration reason: "monitor:patrol 7 (".
var reasonSourceKey = regexp.MustCompile(`[a-z_]+:[^,():]* \(`)

// publicIncident removes from a verified incident the names of the
// sources other than parties (an outlet's or a field team's name can
// point at a person); the people's names go by feed.Audience.
func publicIncident(d store.IncidentDetail) store.IncidentDetail {
	d.Corroboration.Sources = slices.Clone(d.Corroboration.Sources)
	for i, src := range d.Corroboration.Sources {
		if kind, _, _ := strings.Cut(src.Key, ":"); kind != truce.SourceParty {
			d.Corroboration.Sources[i].Key = kind
		}
	}
	// The store's own corroboration steps list the sources of their time
	// in their reason (incident.CorroborationReason): the same names.
	d.History = slices.Clone(d.History)
	for i, st := range d.History {
		if st.By == incident.SystemUser {
			d.History[i].Reason = reasonSourceKey.ReplaceAllStringFunc(st.Reason, func(m string) string {
				if kind, _, _ := strings.Cut(m, ":"); kind != truce.SourceParty {
					return kind + " ("
				}
				return m
			})
		}
	}
	return d
}

type transitionIn struct {
	To       truce.IncidentStatus `json:"to"`
	Reason   string               `json:"reason"`
	Evidence []string             `json:"evidence"` // SHA-256 hex digests
	Version  int                  `json:"version"`  // the version the monitor saw
}

// handleTransition moves an incident through the workflow. The version
// the caller saw must still be current: otherwise someone changed it
// since, and the answer is 409 rather than a silent overwrite.
func (s *Server) handleTransition(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in transitionIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Version < 1 {
		s.writeError(w, r, truce.Invalid("version", "required: the incident's version as read"))
		return
	}
	ctx := r.Context()
	t := truce.Transition{IncidentID: id, To: in.To, Reason: in.Reason, Evidence: in.Evidence, By: caller(ctx).Name}
	inc, err := s.db.Transition(ctx, t, in.Version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

type replyIn struct {
	Body string `json:"body"`
}

// handleReply files a liaison's reply on behalf of its party, which the
// incident's reports must accuse (EFORBIDDEN otherwise).
func (s *Server) handleReply(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in replyIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	u := caller(ctx)
	inc, err := s.db.Incident(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	parties, err := s.db.Parties(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !slices.Contains(incident.Accused(inc.Perpetrators, parties), u.Party) {
		s.writeError(w, r, truce.Errorf(truce.EFORBIDDEN, "incident %d does not accuse %s: only the accused party replies", id, u.Party))
		return
	}
	reply := truce.Reply{IncidentID: id, Party: u.Party, Body: in.Body, By: u.Name}
	if err := s.db.AddReply(ctx, &reply); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, reply)
}

var incidentDocs = map[string]op{
	"GET /api/v1/incidents": {Summary: "List incidents, filtered", Paged: true, Response: incidentsJSON{},
		Description: "The public sees verified incidents only.",
		Params: []param{
			{Name: "status", Enum: []string{"alleged", "corroborated", "verified", "disputed", "rejected"}},
			fromParam, toParam,
			{Name: "bbox", Description: "west,south,east,north in degrees (the incident's centre); west > east crosses the antimeridian"},
			{Name: "party", Description: "a party code: incidents with a report naming it among the perpetrators"},
			{Name: "agreement", Description: "an agreement id: incidents judged a violation of it or uncertain"},
		}},
	"GET /api/v1/incidents/{id}": {Summary: "One incident: its reports and why each belongs, corroboration, history, replies, findings",
		Description: "The public sees verified incidents only, without the names of monitors, liaisons and non-party sources. " +
			"A party liaison reads no monitor's name (history[].by) and the names of its own party's repliers only (replies[].by).",
		Response: store.IncidentDetail{}},
	"POST /api/v1/incidents/{id}/transitions": {Summary: "Move an incident through the verification workflow",
		Description: "alleged → corroborated → verified, or disputed, or rejected. version is the incident's version as read: " +
			"if it changed since, the answer is 409 and nothing is written.",
		Body: transitionIn{}, Response: truce.Incident{}},
	"POST /api/v1/incidents/{id}/replies": {Summary: "Reply to an incident on behalf of the accused party",
		Description: "Only a liaison of a party the incident accuses. A reply never changes the incident's state.",
		Body:        replyIn{}, Response: truce.Reply{}, Status: http.StatusCreated},
}

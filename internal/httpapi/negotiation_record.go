package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// The records of the negotiation track: issues, statements, preconditions,
// events and drafts. Views over them are in negotiation_view.go.

// putJSON answers a PUT of a versioned record.
type putJSON struct {
	Version int  `json:"version"`
	Changed bool `json:"changed"`
}

type issueDetailJSON struct {
	truce.NegotiationIssue
	Versions []truce.NegotiationIssue `json:"versions"`
}

type statementsJSON struct {
	Statements []truce.Statement `json:"statements"`
	NextCursor string            `json:"next_cursor"`
}

type preconditionsJSON struct {
	Preconditions []truce.Precondition `json:"preconditions"`
	NextCursor    string               `json:"next_cursor"`
}

type preconditionDetailJSON struct {
	truce.Precondition
	Versions []truce.Precondition `json:"versions"`
}

// eventJSON is an event with the agreement it concerns, whose status tells
// what came of a proposal.
type eventJSON struct {
	truce.NegotiationEvent
	Agreement *agreementRef `json:"agreement,omitempty"`
}

type agreementRef struct {
	ID     string                `json:"id"`
	Title  string                `json:"title"`
	Status truce.AgreementStatus `json:"status"`
}

type eventsJSON struct {
	Events     []eventJSON `json:"events"`
	NextCursor string      `json:"next_cursor"`
}

type eventDetailJSON struct {
	eventJSON
	Versions []truce.NegotiationEvent `json:"versions"`
}

type draftDetailJSON struct {
	truce.Draft
	Versions []truce.Draft `json:"versions"`
}

// callerName is who a write is recorded as.
func callerName(r *http.Request) string {
	if u := caller(r.Context()); u != nil {
		return u.Name
	}
	return ""
}

// pathID reads the integer path parameter name.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, truce.Invalid(name, "%q is not an id", r.PathValue(name))
	}
	return id, nil
}

// createdStatus is 201 for a new record, 200 for one already stored.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) handleNegotiationIssues(w http.ResponseWriter, r *http.Request) {
	ns, err := s.db.NegotiationIssues(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"issues": nonNil(ns)})
}

func (s *Server) handleNegotiationIssue(w http.ResponseWriter, r *http.Request) {
	vs, err := s.db.NegotiationIssueVersions(r.Context(), r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, issueDetailJSON{NegotiationIssue: vs[len(vs)-1], Versions: vs})
}

func (s *Server) handlePutNegotiationIssue(w http.ResponseWriter, r *http.Request) {
	var n truce.NegotiationIssue
	if err := s.decodeJSON(w, r, &n); err != nil {
		s.writeError(w, r, err)
		return
	}
	if code := r.PathValue("code"); n.Code == "" {
		n.Code = code
	} else if n.Code != code {
		s.writeError(w, r, truce.Invalid("code", "%q in the body, %q in the path", n.Code, code))
		return
	}
	v, changed, err := s.db.PutNegotiationIssue(r.Context(), n, callerName(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, putJSON{Version: v, Changed: changed})
}

func (s *Server) handleStatements(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	ss, err := s.statements(r.Context(), store.StatementFilter{Party: q.Get("party"), Issue: q.Get("issue")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, next := pageOf(ss, p, func(s truce.Statement) string { return idKey(s.ID) })
	s.writeJSON(w, r, http.StatusOK, statementsJSON{Statements: nonNil(out), NextCursor: next})
}

func (s *Server) handleStatement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.statement(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, st)
}

func (s *Server) handleCreateStatement(w http.ResponseWriter, r *http.Request) {
	var st truce.Statement
	if err := s.decodeJSON(w, r, &st); err != nil {
		s.writeError(w, r, err)
		return
	}
	st.RecordedBy, st.RecordedAt = callerName(r), time.Time{}
	created, err := s.db.CreateStatement(r.Context(), &st)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, createdStatus(created), st)
}

func (s *Server) handlePreconditions(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.db.Preconditions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, next := pageOf(ps, p, func(p truce.Precondition) string { return idKey(p.ID) })
	s.writeJSON(w, r, http.StatusOK, preconditionsJSON{Preconditions: nonNil(out), NextCursor: next})
}

func (s *Server) handlePrecondition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vs, err := s.db.PreconditionVersions(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, preconditionDetailJSON{Precondition: vs[len(vs)-1], Versions: vs})
}

func (s *Server) handleCreatePrecondition(w http.ResponseWriter, r *http.Request) {
	var p truce.Precondition
	if err := s.decodeJSON(w, r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	created, err := s.db.CreatePrecondition(r.Context(), &p, callerName(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, createdStatus(created), p)
}

func (s *Server) handleSetPreconditionState(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var st store.PreconditionState
	if err := s.decodeJSON(w, r, &st); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.db.SetPreconditionState(r.Context(), id, st, callerName(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, p)
}

// withAgreement adds the agreement an event concerns. An agreement that
// cannot be read leaves the reference out rather than failing the list.
func (s *Server) withAgreement(r *http.Request, e truce.NegotiationEvent) eventJSON {
	out := eventJSON{NegotiationEvent: e}
	if e.AgreementID != "" {
		if a, err := s.db.Agreement(r.Context(), e.AgreementID); err == nil {
			out.Agreement = &agreementRef{ID: a.ID, Title: a.Title, Status: a.Status}
		}
	}
	return out
}

func (s *Server) handleNegotiationEvents(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es, err := s.db.NegotiationEvents(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if a := r.URL.Query().Get("agreement"); a != "" {
		n := 0
		for _, e := range es {
			if e.AgreementID == a {
				es[n] = e
				n++
			}
		}
		es = es[:n]
	}
	page, next := pageOf(es, p, func(e truce.NegotiationEvent) string { return idKey(e.ID) })
	out := make([]eventJSON, len(page))
	for i, e := range page {
		out[i] = s.withAgreement(r, e)
	}
	s.writeJSON(w, r, http.StatusOK, eventsJSON{Events: out, NextCursor: next})
}

func (s *Server) handleNegotiationEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vs, err := s.db.NegotiationEventVersions(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, eventDetailJSON{eventJSON: s.withAgreement(r, vs[len(vs)-1]), Versions: vs})
}

func (s *Server) handleCreateNegotiationEvent(w http.ResponseWriter, r *http.Request) {
	var e truce.NegotiationEvent
	if err := s.decodeJSON(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if e.ID != 0 {
		s.writeError(w, r, truce.Invalid("id", "a new event has no id; PUT /api/v1/negotiation/events/{id} changes one"))
		return
	}
	created, err := s.db.SaveNegotiationEvent(r.Context(), &e, callerName(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, createdStatus(created), s.withAgreement(r, e))
}

func (s *Server) handleUpdateNegotiationEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var e truce.NegotiationEvent
	if err := s.decodeJSON(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if e.ID != 0 && e.ID != id {
		s.writeError(w, r, truce.Invalid("id", "%d in the body, %d in the path", e.ID, id))
		return
	}
	e.ID = id
	if _, err := s.db.SaveNegotiationEvent(r.Context(), &e, callerName(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.withAgreement(r, e))
}

func (s *Server) handleDrafts(w http.ResponseWriter, r *http.Request) {
	ds, err := s.db.Drafts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"drafts": nonNil(ds)})
}

func (s *Server) handleDraft(w http.ResponseWriter, r *http.Request) {
	vs, err := s.db.DraftVersions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, draftDetailJSON{Draft: vs[len(vs)-1], Versions: vs})
}

func (s *Server) handlePutDraft(w http.ResponseWriter, r *http.Request) {
	var d truce.Draft
	if err := s.decodeJSON(w, r, &d); err != nil {
		s.writeError(w, r, err)
		return
	}
	if id := r.PathValue("id"); d.ID == "" {
		d.ID = id
	} else if d.ID != id {
		s.writeError(w, r, truce.Invalid("id", "%q in the body, %q in the path", d.ID, id))
		return
	}
	v, changed, err := s.db.PutDraft(r.Context(), d, callerName(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, putJSON{Version: v, Changed: changed})
}

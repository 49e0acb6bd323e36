package httpapi

import (
	"net/http"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/negotiation"
	"github.com/truce-monitor/truce/internal/store"
)

// graphJSON is the precondition graph with a display label per condition
// and, by id, the statements its preconditions were recorded from, so that
// each cycle can be read with the words that make it up.
type graphJSON struct {
	negotiation.Graph
	Labels     map[string]string         `json:"labels"`
	Statements map[int64]truce.Statement `json:"statements"`
}

// parseAt reads ?at=YYYY-MM-DD ("" when absent).
func parseAt(r *http.Request) (string, error) {
	at := r.URL.Query().Get("at")
	if at == "" {
		return "", nil
	}
	if _, err := time.Parse("2006-01-02", at); err != nil {
		return "", truce.Invalid("at", "%q is not a date YYYY-MM-DD", at)
	}
	return at, nil
}

func (s *Server) handlePositions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	at, err := parseAt(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, err := s.statements(ctx, store.StatementFilter{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	parties, err := s.db.Parties(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	issues, err := s.db.NegotiationIssues(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var pc, ic []string
	for _, p := range parties {
		pc = append(pc, p.Code)
	}
	for _, i := range issues {
		ic = append(ic, i.Code)
	}
	m := negotiation.Positions(ss, pc, ic, at)
	m.Cells = nonNil(m.Cells)
	s.writeJSON(w, r, http.StatusOK, m)
}

func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	at, err := parseAt(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ss, err := s.statements(ctx, store.StatementFilter{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es, err := s.db.NegotiationEvents(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tl := negotiation.Timeline(ss, es)
	if at != "" {
		n := 0
		for _, e := range tl {
			if e.Date <= at {
				tl[n] = e
				n++
			}
		}
		tl = tl[:n]
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"timeline": nonNil(tl)})
}

func (s *Server) handleGraph(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	at, err := parseAt(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.db.Preconditions(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g := graphJSON{Graph: negotiation.BuildGraph(ps, at), Labels: map[string]string{}}
	names, err := s.conditionNames(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, n := range g.Nodes {
		g.Labels[n.Key] = names(n.Condition)
	}
	g.Statements = map[int64]truce.Statement{}
	for _, e := range g.Edges {
		id := e.Precondition.StatementID
		if _, done := g.Statements[id]; id == 0 || done {
			continue
		}
		st, err := s.statement(ctx, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		g.Statements[id] = st
	}
	if g.Deadlocks == nil {
		g.Deadlocks = []negotiation.Deadlock{}
	}
	s.writeJSON(w, r, http.StatusOK, g)
}

// conditionNames returns a function that names a condition for display:
// "Ukraine: Direct talks", or an agreement's title.
func (s *Server) conditionNames(r *http.Request) (func(truce.Condition) string, error) {
	ctx := r.Context()
	parties, err := s.db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	issues, err := s.db.NegotiationIssues(ctx)
	if err != nil {
		return nil, err
	}
	agreements, err := s.db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	pn, in, an := map[string]string{}, map[string]string{}, map[string]string{}
	for _, p := range parties {
		pn[p.Code] = p.Name
	}
	for _, i := range issues {
		in[i.Code] = i.Name
	}
	for _, a := range agreements {
		an[a.ID] = a.Title
	}
	or := func(m map[string]string, k string) string {
		if v := m[k]; v != "" {
			return v
		}
		return k
	}
	return func(c truce.Condition) string {
		if c.Kind == truce.ConditionAgreement {
			return or(an, c.AgreementID) + " takes effect"
		}
		return or(pn, c.Party) + ": " + or(in, c.Issue)
	}, nil
}

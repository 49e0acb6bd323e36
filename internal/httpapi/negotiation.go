package httpapi

import (
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/negotiation"
	"github.com/truce-monitor/truce/internal/store"
)

// negotiationRoutes registers the negotiation track under
// /api/v1/negotiation/.
//
// Reads are public, like agreements and claims: who demands what and what
// deadlocks the talks is what monitors and guarantors publish. Writes are
// for monitors and admins, who record the mission's reading of the public
// record (statements with their quotes and sources, preconditions, events,
// drafts), as they do for claims and agreement terms. A liaison speaks for
// one party and answers incidents; a party's position is recorded from
// what it said in public, not from its liaison. Analysts read.
func (s *Server) negotiationRoutes() {
	const p = "/api/v1/negotiation"
	s.handle("GET "+p+"/issues", anyone, s.handleNegotiationIssues)
	s.handle("GET "+p+"/issues/{code}", anyone, s.handleNegotiationIssue)
	s.handle("PUT "+p+"/issues/{code}", monitors, s.handlePutNegotiationIssue)

	s.handle("GET "+p+"/statements", anyone, s.handleStatements)
	s.handle("GET "+p+"/statements/{id}", anyone, s.handleStatement)
	s.handle("POST "+p+"/statements", monitors, s.handleCreateStatement)

	s.handle("GET "+p+"/preconditions", anyone, s.handlePreconditions)
	s.handle("GET "+p+"/preconditions/{id}", anyone, s.handlePrecondition)
	s.handle("POST "+p+"/preconditions", monitors, s.handleCreatePrecondition)
	s.handle("PATCH "+p+"/preconditions/{id}", monitors, s.handleSetPreconditionState)

	s.handle("GET "+p+"/events", anyone, s.handleNegotiationEvents)
	s.handle("GET "+p+"/events/{id}", anyone, s.handleNegotiationEvent)
	s.handle("POST "+p+"/events", monitors, s.handleCreateNegotiationEvent)
	s.handle("PUT "+p+"/events/{id}", monitors, s.handleUpdateNegotiationEvent)

	s.handle("GET "+p+"/drafts", anyone, s.handleDrafts)
	s.handle("GET "+p+"/drafts/{id}", anyone, s.handleDraft)
	s.handle("PUT "+p+"/drafts/{id}", monitors, s.handlePutDraft)

	s.handle("GET "+p+"/positions", anyone, s.handlePositions)
	s.handle("GET "+p+"/timeline", anyone, s.handleTimeline)
	s.handle("GET "+p+"/graph", anyone, s.handleGraph)
	s.describeAll(negotiationDocs)
}

var atParam = param{Name: "at", Format: "date", Description: "YYYY-MM-DD: as things stood at the end of that day (default: now)"}

var negotiationDocs = map[string]op{
	"GET /api/v1/negotiation/issues": {Summary: "List the negotiation issues (the taxonomy of what is negotiated)",
		Response: map[string][]truce.NegotiationIssue{}},
	"GET /api/v1/negotiation/issues/{code}": {Summary: "One negotiation issue with every version",
		Response: issueDetailJSON{}},
	"PUT /api/v1/negotiation/issues/{code}": {Summary: "Add or edit a negotiation issue",
		Description: "Each change is a new, logged version; an unchanged issue changes nothing. The body's code, if given, must match the path.",
		Body:        truce.NegotiationIssue{}, Response: putJSON{}},
	"GET /api/v1/negotiation/statements": {Summary: "List statements (dated positions of parties on issues), by date",
		Params: []param{{Name: "party", Description: "party code"}, {Name: "issue", Description: "issue code"}},
		Paged:  true, Response: statementsJSON{}},
	"GET /api/v1/negotiation/statements/{id}": {Summary: "One statement", Response: truce.Statement{}},
	"POST /api/v1/negotiation/statements": {Summary: "Record a statement with its quote and source",
		Description: "Logged in the tamper-evident log. The same party, issue, stance, date and quote as a stored statement returns that one with 200; a new one is 201. recorded_by is the caller.",
		Body:        truce.Statement{}, Response: truce.Statement{}, Status: 201},
	"GET /api/v1/negotiation/preconditions": {Summary: "List preconditions (party P does X only if Y first), latest versions",
		Paged: true, Response: preconditionsJSON{}},
	"GET /api/v1/negotiation/preconditions/{id}": {Summary: "One precondition with every version", Response: preconditionDetailJSON{}},
	"POST /api/v1/negotiation/preconditions": {Summary: "Record a precondition",
		Description: "X (action) and Y (requires) are each an action by a party on an issue ({kind: action, party, issue}) or an agreement taking effect ({kind: agreement, agreement_id}). An unknown party, issue, agreement or statement is a 400 naming the field.",
		Body:        truce.Precondition{}, Response: truce.Precondition{}, Status: 201},
	"PATCH /api/v1/negotiation/preconditions/{id}": {Summary: "Mark a precondition met or withdrawn (a new version)",
		Body: store.PreconditionState{}, Response: truce.Precondition{}},
	"GET /api/v1/negotiation/events": {Summary: "List negotiation events (meetings, talks, proposals, responses, mediation offers)",
		Params: []param{{Name: "agreement", Description: "only events concerning this agreement (its proposals, the talks on it)"}},
		Paged:  true, Response: eventsJSON{}},
	"GET /api/v1/negotiation/events/{id}": {Summary: "One negotiation event with every version and the status of the agreement it concerns",
		Response: eventDetailJSON{}},
	"POST /api/v1/negotiation/events": {Summary: "Record a negotiation event",
		Description: "The same kind, date and title as a stored event returns that one with 200; a new one is 201.",
		Body:        truce.NegotiationEvent{}, Response: eventJSON{}, Status: 201},
	"PUT /api/v1/negotiation/events/{id}": {Summary: "Change a negotiation event (a new version)",
		Body: truce.NegotiationEvent{}, Response: eventJSON{}},
	"GET /api/v1/negotiation/drafts":      {Summary: "List draft agreements (latest versions)", Response: map[string][]truce.Draft{}},
	"GET /api/v1/negotiation/drafts/{id}": {Summary: "One draft agreement with every version", Response: draftDetailJSON{}},
	"PUT /api/v1/negotiation/drafts/{id}": {Summary: "Add a draft agreement or a new version of it",
		Body: truce.Draft{}, Response: putJSON{}},
	"GET /api/v1/negotiation/positions": {Summary: "The position matrix: party × issue, the latest stance and its history",
		Params: []param{atParam}, Response: negotiation.Matrix{}},
	"GET /api/v1/negotiation/timeline": {Summary: "Statements and events by date",
		Params: []param{atParam}, Response: map[string][]negotiation.TimelineEntry{}},
	"GET /api/v1/negotiation/graph": {Summary: "The precondition graph, its deadlock cycles and what would unblock each",
		Description: "Met and withdrawn preconditions drop out of the analysis (they are still drawn, inactive). Unblocking lists, per deadlock, the smallest sets of precondition ids whose dropping breaks every cycle in it. labels names each condition for display; statements holds, by id, the statements the preconditions were recorded from.",
		Params:      []param{atParam}, Response: graphJSON{}},
}

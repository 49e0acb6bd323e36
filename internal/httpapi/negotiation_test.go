package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// The negotiation routes' samples for TestAuthorizationMatrix (data from
// negotiationEnv, which matrixEnv builds on, and the event and draft
// matrixEnv adds).
func init() {
	addMatrixSamples(map[string]sample{
		"GET /api/v1/negotiation/issues":          {path: "/api/v1/negotiation/issues", ok: 200},
		"GET /api/v1/negotiation/issues/{code}":   {path: "/api/v1/negotiation/issues/ceasefire", ok: 200},
		"PUT /api/v1/negotiation/issues/{code}":   {path: "/api/v1/negotiation/issues/sanctions", body: static(`{"name":"Sanctions"}`)},
		"GET /api/v1/negotiation/statements":      {path: "/api/v1/negotiation/statements", ok: 200},
		"GET /api/v1/negotiation/statements/{id}": {path: "/api/v1/negotiation/statements/1", ok: 200},
		"POST /api/v1/negotiation/statements": {path: "/api/v1/negotiation/statements", body: static(`{"party":"RU","issue":"direct_talks","stance":"offers","date":"2025-05-11",` +
			`"quote":"Russia is ready to negotiate without any prerequisites.","quote_kind":"direct","source":{"title":"News report"}}`)},
		"GET /api/v1/negotiation/preconditions":      {path: "/api/v1/negotiation/preconditions", ok: 200},
		"GET /api/v1/negotiation/preconditions/{id}": {path: "/api/v1/negotiation/preconditions/1", ok: 200},
		"POST /api/v1/negotiation/preconditions": {path: "/api/v1/negotiation/preconditions",
			body: static(`{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`)},
		"PATCH /api/v1/negotiation/preconditions/{id}": {path: "/api/v1/negotiation/preconditions/1", body: static(`{"withdrawn":true,"until":"2025-05-16"}`)},
		"GET /api/v1/negotiation/events":               {path: "/api/v1/negotiation/events", ok: 200},
		"GET /api/v1/negotiation/events/{id}":          {path: "/api/v1/negotiation/events/1", ok: 200},
		"POST /api/v1/negotiation/events": {path: "/api/v1/negotiation/events",
			body: static(`{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","sources":[{"title":"t"}]}`)},
		"PUT /api/v1/negotiation/events/{id}": {path: "/api/v1/negotiation/events/1",
			body: static(`{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","outcome":"not taken up","sources":[{"title":"t"}]}`)},
		"GET /api/v1/negotiation/drafts":      {path: "/api/v1/negotiation/drafts", ok: 200},
		"GET /api/v1/negotiation/drafts/{id}": {path: "/api/v1/negotiation/drafts/d1", ok: 200},
		"PUT /api/v1/negotiation/drafts/{id}": {path: "/api/v1/negotiation/drafts/d1", body: static(`{"title":"Istanbul draft","provisions":[{"issue":"ceasefire","text":"x"}]}`)},
		"GET /api/v1/negotiation/positions":   {path: "/api/v1/negotiation/positions", ok: 200},
		"GET /api/v1/negotiation/timeline":    {path: "/api/v1/negotiation/timeline", ok: 200},
		"GET /api/v1/negotiation/graph":       {path: "/api/v1/negotiation/graph", ok: 200},
	})
}

// negotiationEnv is a test server (parties UA and RU, a user per role)
// with a proposed ceasefire, two issues, a statement and the mutual
// precondition between Ukraine's talks and the ceasefire.
func negotiationEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t, Config{})
	ctx := context.Background()
	end := "2025-06-11T00:00"
	terms := truce.Terms{Agreements: []truce.Agreement{{ID: "cf30", Title: "30-day ceasefire", Status: truce.StatusProposed,
		DeclaredBy: []string{"UA"}, Bound: []string{"UA", "RU"},
		Window:  truce.Window{Start: "2025-05-12T00:00", End: &end, TZ: "Europe/Kyiv"},
		Domains: []string{"land"}, Targets: []string{"any"}}}}
	if _, err := e.db.ImportTerms(ctx, terms, "admin"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []truce.NegotiationIssue{{Code: "ceasefire", Name: "Ceasefire"}, {Code: "direct_talks", Name: "Direct talks"}} {
		if _, _, err := e.db.PutNegotiationIssue(ctx, n, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	st := truce.Statement{Party: "UA", Issue: "direct_talks", Stance: truce.StanceConditions, Date: "2025-05-11",
		Quote: "ready for peace talks, but only after the ceasefire", QuoteKind: truce.QuoteReported,
		Source: truce.Source{Title: "News report"}}
	if _, err := e.db.CreateStatement(ctx, &st); err != nil {
		t.Fatal(err)
	}
	talks := truce.Condition{Kind: truce.ConditionAction, Party: "UA", Issue: "direct_talks"}
	cf := truce.Condition{Kind: truce.ConditionAgreement, AgreementID: "cf30"}
	for _, p := range []truce.Precondition{
		{Party: "UA", Action: talks, Requires: cf, Since: "2025-05-10", StatementID: st.ID, Quote: st.Quote},
		{Party: "RU", Action: cf, Requires: talks, Since: "2025-05-11"},
	} {
		if _, err := e.db.CreatePrecondition(ctx, &p, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestNegotiationReads(t *testing.T) {
	e := negotiationEnv(t)
	for _, path := range []string{"issues", "issues/ceasefire", "statements", "statements?party=UA&issue=direct_talks", "statements/1",
		"preconditions", "preconditions/2", "events", "drafts", "positions", "timeline", "graph", "graph?at=2025-05-10"} {
		for _, role := range testRoles {
			if w := e.do(role, "GET", "/api/v1/negotiation/"+path, ""); w.Code != http.StatusOK {
				t.Errorf("%s GET %s: %d %s", role, path, w.Code, w.Body)
			}
		}
	}
	g := decode[graphJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/graph", ""), 200)
	if len(g.Deadlocks) != 1 || len(g.Deadlocks[0].Cycles) != 1 || !reflect.DeepEqual(g.Deadlocks[0].Unblocking, [][]int64{{1}, {2}}) {
		t.Fatalf("graph deadlocks = %+v", g.Deadlocks)
	}
	if got := g.Labels["action:UA:direct_talks"]; got != "Ukraine: Direct talks" {
		t.Errorf("label = %q", got)
	}
	if got := g.Labels["agreement:cf30"]; got != "30-day ceasefire takes effect" {
		t.Errorf("label = %q", got)
	}
	if st, ok := g.Statements[1]; !ok || st.Quote != "ready for peace talks, but only after the ceasefire" || len(g.Statements) != 1 {
		t.Errorf("statements behind the graph = %+v", g.Statements)
	}
	// On 10 May Russia had not stated its condition: no deadlock yet.
	g = decode[graphJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/graph?at=2025-05-10", ""), 200)
	if len(g.Deadlocks) != 0 || len(g.Edges) != 1 {
		t.Fatalf("graph at 10 May: %+v", g)
	}
	m := decode[struct {
		Cells []struct {
			Party, Issue string
			Latest       truce.Statement
		}
	}](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/positions", ""), 200)
	if len(m.Cells) != 1 || m.Cells[0].Latest.Stance != truce.StanceConditions {
		t.Fatalf("positions: %+v", m)
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/statements/9", ""), 404, truce.ENOTFOUND, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/statements/x", ""), 400, truce.EINVALID, "id")
	for _, q := range []string{"graph?at=11-05-2025", "positions?at=yesterday", "timeline?at=2025-13-01"} {
		wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/"+q, ""), 400, truce.EINVALID, "at")
	}
}

// TestNegotiationRoles walks every write route: the public gets 401,
// analysts and liaisons 403, monitors and admins through. Reads are
// everyone's (TestNegotiationReads).
func TestNegotiationRoles(t *testing.T) {
	e := negotiationEnv(t)
	writes := []struct{ method, path, body string }{
		{"PUT", "/api/v1/negotiation/issues/sanctions", `{"name":"Sanctions"}`},
		{"POST", "/api/v1/negotiation/statements", `{"party":"RU","issue":"direct_talks","stance":"offers","date":"2025-05-11","quote":"Russia is ready to negotiate without any prerequisites.","quote_kind":"direct","source":{"title":"News report"}}`},
		{"POST", "/api/v1/negotiation/preconditions", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`},
		{"PATCH", "/api/v1/negotiation/preconditions/1", `{"withdrawn":true,"until":"2025-05-16"}`},
		{"POST", "/api/v1/negotiation/events", `{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","sources":[{"title":"t"}]}`},
		{"PUT", "/api/v1/negotiation/events/1", `{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","outcome":"not taken up","sources":[{"title":"t"}]}`},
		{"PUT", "/api/v1/negotiation/drafts/d1", `{"title":"Istanbul draft","provisions":[{"issue":"ceasefire","text":"x"}]}`},
	}
	covered := map[string]bool{}
	for _, w := range writes {
		covered[w.method+" "+strings.NewReplacer("sanctions", "{code}", "/1", "/{id}", "d1", "{id}").Replace(w.path)] = true
		wantError(t, e.do(truce.RolePublic, w.method, w.path, w.body), 401, truce.EUNAUTHORIZED, "")
		for _, role := range []truce.Role{truce.RoleAnalyst, truce.RoleLiaison} {
			wantError(t, e.do(role, w.method, w.path, w.body), 403, truce.EFORBIDDEN, "")
		}
		for _, role := range []truce.Role{truce.RoleMonitor, truce.RoleAdmin} {
			if r := e.do(role, w.method, w.path, w.body); r.Code != 200 && r.Code != 201 {
				t.Errorf("%s %s %s: %d %s", role, w.method, w.path, r.Code, r.Body)
			}
		}
	}
	// Every write route of the matrix is exercised above.
	for _, rp := range e.srv.matrix {
		method, path := splitPattern(rp.Pattern)
		if strings.HasPrefix(path, "/api/v1/negotiation/") && method != http.MethodGet && !covered[rp.Pattern] {
			t.Errorf("write route %s not covered", rp.Pattern)
		}
	}
	// Signed in, the recorder shows; the public reads statements without
	// it (TestRecordersHiddenFromPublic).
	st := decode[truce.Statement](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/negotiation/statements/2", ""), 200)
	if st.RecordedBy != e.users[truce.RoleMonitor].Name {
		t.Errorf("statement recorded by %q, want the monitor who posted it", st.RecordedBy)
	}
	ev := decode[eventDetailJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/events/1", ""), 200)
	if len(ev.Versions) != 2 || ev.Outcome != "not taken up" || ev.Agreement == nil || ev.Agreement.Status != truce.StatusProposed {
		t.Errorf("event 1 = %+v", ev)
	}
	for q, want := range map[string]int{"": 1, "?agreement=cf30": 1, "?agreement=other": 0} {
		if es := decode[eventsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/events"+q, ""), 200); len(es.Events) != want {
			t.Errorf("events%s: %d, want %d", q, len(es.Events), want)
		}
	}
	// Ukraine withdrew its condition: the deadlock is gone.
	g := decode[graphJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/graph", ""), 200)
	if len(g.Deadlocks) != 0 || g.Active != 2 {
		t.Errorf("graph after the withdrawal: %d deadlocks, %d active", len(g.Deadlocks), g.Active)
	}
}

// TestNegotiationBadInput: a clear 400 naming the field at fault.
func TestNegotiationBadInput(t *testing.T) {
	e := negotiationEnv(t)
	tests := []struct {
		name, method, path, body, field string
	}{
		{"precondition unknown party", "POST", "preconditions", `{"party":"XX","action":{"kind":"action","party":"XX","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`, "party"},
		{"precondition unknown issue", "POST", "preconditions", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"nato"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`, "action.issue"},
		{"precondition unknown required party", "POST", "preconditions", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"action","party":"CN","issue":"ceasefire"}}`, "requires.party"},
		{"precondition unknown agreement", "POST", "preconditions", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"nope"}}`, "requires.agreement_id"},
		{"precondition unknown field", "POST", "preconditions", `{"party":"UA","actoin":{}}`, "actoin"},
		{"precondition met and withdrawn", "PATCH", "preconditions/1", `{"met":true,"withdrawn":true}`, "withdrawn"},
		{"statement unknown issue", "POST", "statements", `{"party":"UA","issue":"oceans","stance":"demands","date":"2025-05-10","quote":"q","quote_kind":"direct","source":{"title":"t"}}`, "issue"},
		{"statement bad stance", "POST", "statements", `{"party":"UA","issue":"ceasefire","stance":"hopes","date":"2025-05-10","quote":"q","quote_kind":"direct","source":{"title":"t"}}`, "stance"},
		{"event unknown participant", "POST", "events", `{"kind":"talks","title":"t","date":"2025-05-16","participants":["UA","XX"],"sources":[{"title":"t"}]}`, "participants[1]"},
		{"draft unknown issue", "PUT", "drafts/d1", `{"title":"d","provisions":[{"issue":"oceans","text":"x"}]}`, "provisions[0].issue"},
		{"draft id mismatch", "PUT", "drafts/d1", `{"id":"d2","title":"d","provisions":[{"text":"x"}]}`, "id"},
		{"issue code mismatch", "PUT", "issues/nato", `{"code":"neutrality","name":"n"}`, "code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(truce.RoleMonitor, tt.method, "/api/v1/negotiation/"+tt.path, tt.body), 400, truce.EINVALID, tt.field)
		})
	}
	wantError(t, e.do(truce.RoleMonitor, "PATCH", "/api/v1/negotiation/preconditions/9", `{"met":true}`), 404, truce.ENOTFOUND, "")
	// Nothing above was stored.
	ps := decode[preconditionsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/negotiation/preconditions", ""), 200)
	if len(ps.Preconditions) != 2 {
		t.Errorf("%d preconditions after bad input, want the 2 stored before", len(ps.Preconditions))
	}
	var raw map[string]any
	json.Unmarshal(e.do(truce.RolePublic, "GET", "/api/v1/negotiation/drafts", "").Body.Bytes(), &raw)
	if ds, _ := raw["drafts"].([]any); len(ds) != 0 {
		t.Errorf("drafts after bad input: %v", raw)
	}
}

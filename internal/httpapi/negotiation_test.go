package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// negotiationServer returns a server on a fresh SQLite store holding two
// parties, a proposed ceasefire, two issues and the mutual precondition
// between Ukraine's talks and the ceasefire.
func negotiationServer(t *testing.T) (*Server, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "truce.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	end := "2025-06-11T00:00"
	terms := truce.Terms{
		Parties: []truce.Party{{Code: "UA", Name: "Ukraine"}, {Code: "RU", Name: "Russia"}},
		Agreements: []truce.Agreement{{ID: "cf30", Title: "30-day ceasefire", Status: truce.StatusProposed,
			DeclaredBy: []string{"UA"}, Bound: []string{"UA", "RU"},
			Window:  truce.Window{Start: "2025-05-12T00:00", End: &end, TZ: "Europe/Kyiv"},
			Domains: []string{"land"}, Targets: []string{"any"}}},
	}
	if _, err := db.ImportTerms(ctx, terms, "admin"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []truce.NegotiationIssue{{Code: "ceasefire", Name: "Ceasefire"}, {Code: "direct_talks", Name: "Direct talks"}} {
		if _, _, err := db.PutNegotiationIssue(ctx, n, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	talks := truce.Condition{Kind: truce.ConditionAction, Party: "UA", Issue: "direct_talks"}
	cf := truce.Condition{Kind: truce.ConditionAgreement, AgreementID: "cf30"}
	for _, p := range []truce.Precondition{
		{Party: "UA", Action: talks, Requires: cf, Since: "2025-05-10"},
		{Party: "RU", Action: cf, Requires: talks, Since: "2025-05-11"},
	} {
		if _, err := db.CreatePrecondition(ctx, &p, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	st := truce.Statement{Party: "UA", Issue: "direct_talks", Stance: truce.StanceConditions, Date: "2025-05-11",
		Quote: "ready for peace talks, but only after the ceasefire", QuoteKind: truce.QuoteReported,
		Source: truce.Source{Title: "News report"}}
	if _, err := db.CreateStatement(ctx, &st); err != nil {
		t.Fatal(err)
	}
	return New(Config{DB: db}), db
}

// do serves one request; as, when not nil, is the caller the request
// carries past authorization (handlers are then called directly).
func do(t *testing.T, s *Server, h http.HandlerFunc, method, target, body string, as *truce.User, pathValues ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	w := httptest.NewRecorder()
	if h == nil {
		s.Handler().ServeHTTP(w, r)
		return w
	}
	for i := 0; i+1 < len(pathValues); i += 2 {
		r.SetPathValue(pathValues[i], pathValues[i+1])
	}
	r = r.WithContext(context.WithValue(r.Context(), callerKey{}, as))
	h(w, r)
	return w
}

func TestNegotiationReads(t *testing.T) {
	s, _ := negotiationServer(t)
	for _, path := range []string{"issues", "issues/ceasefire", "statements", "statements?party=UA&issue=direct_talks", "statements/1",
		"preconditions", "preconditions/2", "events", "drafts", "positions", "timeline", "graph", "graph?at=2025-05-10"} {
		w := do(t, s, nil, "GET", "/api/v1/negotiation/"+path, "", nil)
		if w.Code != http.StatusOK {
			t.Errorf("public GET %s: %d %s", path, w.Code, w.Body)
		}
	}
	var g graphJSON
	w := do(t, s, nil, "GET", "/api/v1/negotiation/graph", "", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Deadlocks) != 1 || len(g.Deadlocks[0].Cycles) != 1 || !reflect.DeepEqual(g.Deadlocks[0].Unblocking, [][]int64{{1}, {2}}) {
		t.Fatalf("graph deadlocks = %+v", g.Deadlocks)
	}
	if got := g.Labels["action:UA:direct_talks"]; got != "Ukraine: Direct talks" {
		t.Errorf("label = %q", got)
	}
	if got := g.Labels["agreement:cf30"]; got != "30-day ceasefire takes effect" {
		t.Errorf("label = %q", got)
	}
	// On 10 May Russia had not stated its condition: no deadlock yet.
	w = do(t, s, nil, "GET", "/api/v1/negotiation/graph?at=2025-05-10", "", nil)
	g = graphJSON{}
	if err := json.Unmarshal(w.Body.Bytes(), &g); err != nil || len(g.Deadlocks) != 0 || len(g.Edges) != 1 {
		t.Fatalf("graph at 10 May: %v %+v", err, g)
	}
	var m struct {
		Parties []string
		Cells   []struct {
			Party, Issue string
			Latest       truce.Statement
		}
	}
	w = do(t, s, nil, "GET", "/api/v1/negotiation/positions", "", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || len(m.Cells) != 1 || m.Cells[0].Latest.Stance != truce.StanceConditions {
		t.Fatalf("positions: %v %s", err, w.Body)
	}
	if w := do(t, s, nil, "GET", "/api/v1/negotiation/statements/9", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown statement: %d", w.Code)
	}
}

// TestNegotiationWritePolicy checks the authorization matrix for the
// negotiation routes: reads for anyone, writes for monitors and admins
// only, and a public write refused with 401 before its body is read.
func TestNegotiationWritePolicy(t *testing.T) {
	s, _ := negotiationServer(t)
	n := 0
	for _, rp := range s.matrix {
		method, path := splitPattern(rp.Pattern)
		if !strings.HasPrefix(path, "/api/v1/negotiation/") {
			continue
		}
		n++
		if method == http.MethodGet {
			if !rp.Policy.allows(nil) {
				t.Errorf("%s: the public may not read", rp.Pattern)
			}
			continue
		}
		for role, want := range map[truce.Role]bool{truce.RoleAdmin: true, truce.RoleMonitor: true, truce.RoleAnalyst: false, truce.RoleLiaison: false} {
			if got := rp.Policy.allows(&truce.User{Name: "u", Role: role}); got != want {
				t.Errorf("%s: %s allowed = %v, want %v", rp.Pattern, role, got, want)
			}
		}
		target := strings.NewReplacer("{code}", "ceasefire", "{id}", "1").Replace(path)
		w := do(t, s, nil, method, target, `{}`, nil)
		var body errorBody
		json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusUnauthorized || body.Code != truce.EUNAUTHORIZED {
			t.Errorf("public %s %s: %d %s, want 401", method, target, w.Code, w.Body)
		}
	}
	if n != 20 {
		t.Errorf("%d negotiation routes, want 20", n)
	}
}

func TestNegotiationWrites(t *testing.T) {
	s, db := negotiationServer(t)
	monitor := &truce.User{Name: "mon1", Role: truce.RoleMonitor}
	bad := []struct {
		name, body, field string
		h                 http.HandlerFunc
	}{
		{"precondition unknown party", `{"party":"XX","action":{"kind":"action","party":"XX","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`, "party", s.handleCreatePrecondition},
		{"precondition unknown issue", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"nato"},"requires":{"kind":"agreement","agreement_id":"cf30"}}`, "action.issue", s.handleCreatePrecondition},
		{"precondition unknown required party", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"action","party":"CN","issue":"ceasefire"}}`, "requires.party", s.handleCreatePrecondition},
		{"precondition unknown agreement", `{"party":"UA","action":{"kind":"action","party":"UA","issue":"ceasefire"},"requires":{"kind":"agreement","agreement_id":"nope"}}`, "requires.agreement_id", s.handleCreatePrecondition},
		{"precondition unknown field", `{"party":"UA","actoin":{}}`, "actoin", s.handleCreatePrecondition},
		{"statement unknown issue", `{"party":"UA","issue":"oceans","stance":"demands","date":"2025-05-10","quote":"q","quote_kind":"direct","source":{"title":"t"}}`, "issue", s.handleCreateStatement},
		{"statement bad stance", `{"party":"UA","issue":"ceasefire","stance":"hopes","date":"2025-05-10","quote":"q","quote_kind":"direct","source":{"title":"t"}}`, "stance", s.handleCreateStatement},
		{"event unknown participant", `{"kind":"talks","title":"t","date":"2025-05-16","participants":["UA","XX"],"sources":[{"title":"t"}]}`, "participants[1]", s.handleCreateNegotiationEvent},
		{"draft unknown issue", `{"title":"d","provisions":[{"issue":"oceans","text":"x"}]}`, "provisions[0].issue", s.handlePutDraft},
	}
	for _, tt := range bad {
		w := do(t, s, tt.h, "POST", "/x", tt.body, monitor, "id", "d1")
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusBadRequest || body.Field != tt.field || body.Code != truce.EINVALID {
			t.Errorf("%s: %d %s, want 400 on %s", tt.name, w.Code, w.Body, tt.field)
		}
	}
	for _, q := range []string{"graph?at=11-05-2025", "positions?at=yesterday", "timeline?at=2025-13-01"} {
		w := do(t, s, nil, "GET", "/api/v1/negotiation/"+q, "", nil)
		var body errorBody
		if json.Unmarshal(w.Body.Bytes(), &body); w.Code != http.StatusBadRequest || body.Field != "at" {
			t.Errorf("GET %s: %d %s, want 400 on at", q, w.Code, w.Body)
		}
	}

	// A good statement: 201 recorded as the caller; again: 200, the same one.
	good := `{"party":"RU","issue":"direct_talks","stance":"offers","date":"2025-05-11","quote":"Russia is ready to negotiate without any prerequisites.","quote_kind":"direct","source":{"title":"News report"}}`
	w := do(t, s, s.handleCreateStatement, "POST", "/x", good, monitor)
	var st truce.Statement
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || w.Code != http.StatusCreated || st.ID != 2 || st.RecordedBy != "mon1" {
		t.Fatalf("create statement: %d %s", w.Code, w.Body)
	}
	if w := do(t, s, s.handleCreateStatement, "POST", "/x", good, monitor); w.Code != http.StatusOK {
		t.Errorf("same statement again: %d, want 200", w.Code)
	}
	// Ukraine withdraws its condition: the deadlock is gone.
	w = do(t, s, s.handleSetPreconditionState, "PATCH", "/x", `{"withdrawn":true,"until":"2025-05-16"}`, monitor, "id", "1")
	if w.Code != http.StatusOK {
		t.Fatalf("withdraw: %d %s", w.Code, w.Body)
	}
	ps, err := db.PreconditionVersions(context.Background(), 1)
	if err != nil || len(ps) != 2 || !ps[1].Withdrawn {
		t.Fatalf("versions after withdrawal: %+v, %v", ps, err)
	}
	var g graphJSON
	w = do(t, s, nil, "GET", "/api/v1/negotiation/graph", "", nil)
	if json.Unmarshal(w.Body.Bytes(), &g); len(g.Deadlocks) != 0 || g.Active != 1 {
		t.Errorf("graph after withdrawal: %s", w.Body)
	}
	// An event proposing the ceasefire shows the agreement's status.
	w = do(t, s, s.handleCreateNegotiationEvent, "POST", "/x",
		`{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","sources":[{"title":"t"}]}`, monitor)
	var ev eventJSON
	if err := json.Unmarshal(w.Body.Bytes(), &ev); err != nil || w.Code != http.StatusCreated || ev.Agreement == nil || ev.Agreement.Status != truce.StatusProposed {
		t.Errorf("create event: %d %s", w.Code, w.Body)
	}
	// A draft, then a changed version.
	d := `{"title":"Istanbul draft","provisions":[{"issue":"ceasefire","text":"x"}]}`
	for i, want := range []putJSON{{1, true}, {1, false}} {
		w = do(t, s, s.handlePutDraft, "PUT", "/x", d, monitor, "id", "d1")
		var got putJSON
		if json.Unmarshal(w.Body.Bytes(), &got); got != want {
			t.Errorf("put draft %d: %s, want %+v", i, w.Body, want)
		}
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(truce.Draft{ID: "d2", Title: "x", Provisions: []truce.Provision{{Text: "y"}}})
	if w := do(t, s, s.handlePutDraft, "PUT", "/x", buf.String(), monitor, "id", "d1"); w.Code != http.StatusBadRequest {
		t.Errorf("draft id mismatch: %d", w.Code)
	}
}

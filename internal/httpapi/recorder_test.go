package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/truce-monitor/truce"
)

// TestRecordersHiddenFromPublic: the public's and a party liaison's
// negotiation statements (in their list, one by one, the positions, the
// timeline) and access restrictions come without the account name of the
// monitor who recorded them (recorded_by); staff read it. Real HTTP.
func TestRecordersHiddenFromPublic(t *testing.T) {
	a := newFeedAPI(t)
	if _, _, err := a.db.PutNegotiationIssue(context.Background(), truce.NegotiationIssue{Code: "direct_talks", Name: "Direct talks"}, "admin"); err != nil {
		t.Fatal(err)
	}
	const recorder = "test-monitor" // feedtest.Tokens' monitor
	code, body := a.do(t, truce.RoleMonitor, "POST", "/api/v1/negotiation/statements",
		`{"party":"RU","issue":"direct_talks","stance":"offers","date":"2025-05-11","quote":"ready to negotiate","quote_kind":"direct","source":{"title":"News report"}}`)
	var st truce.Statement
	if code != 201 || json.Unmarshal([]byte(body), &st) != nil || st.RecordedBy != recorder {
		t.Fatalf("POST statement = %d %s", code, body)
	}
	code, body = a.do(t, truce.RoleMonitor, "POST", "/api/v1/access-restrictions",
		`{"agreement_id":"easter-truce-2025","place":"Checkpoint 4","at":"2025-04-20T07:00:00Z","denied_by":"RU","reason":"refused"}`)
	if code != 201 {
		t.Fatalf("POST access restriction = %d %s", code, body)
	}
	for _, role := range []truce.Role{truce.RolePublic, truce.RoleLiaison, truce.RoleAnalyst, truce.RoleAdmin} {
		want := recorder
		if role == truce.RolePublic || role == truce.RoleLiaison {
			want = ""
		}
		h := a.auth(role)
		var list statementsJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/negotiation/statements", h, &list); code != 200 || len(list.Statements) != 1 || list.Statements[0].RecordedBy != want {
			t.Errorf("%s: statements = %d %+v, want recorded by %q", role, code, list.Statements, want)
		}
		var one truce.Statement
		if code := getJSON(t, fmt.Sprintf("%s/api/v1/negotiation/statements/%d", a.srv.URL, st.ID), h, &one); code != 200 || one.RecordedBy != want || one.Quote != st.Quote {
			t.Errorf("%s: statement = %d %+v, want recorded by %q", role, code, one, want)
		}
		var tl struct {
			Timeline []struct{ Statement *truce.Statement }
		}
		if code := getJSON(t, a.srv.URL+"/api/v1/negotiation/timeline", h, &tl); code != 200 || len(tl.Timeline) != 1 || tl.Timeline[0].Statement == nil || tl.Timeline[0].Statement.RecordedBy != want {
			t.Errorf("%s: timeline = %d %+v, want the statement recorded by %q", role, code, tl.Timeline, want)
		}
		var positions struct {
			Cells []struct{ Latest truce.Statement }
		}
		if code := getJSON(t, a.srv.URL+"/api/v1/negotiation/positions", h, &positions); code != 200 || len(positions.Cells) != 1 || positions.Cells[0].Latest.RecordedBy != want {
			t.Errorf("%s: positions = %d %+v, want the statement recorded by %q", role, code, positions.Cells, want)
		}
		var access accessRestrictionsJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/access-restrictions", h, &access); code != 200 || len(access.AccessRestrictions) != 1 ||
			access.AccessRestrictions[0].RecordedBy != want || access.AccessRestrictions[0].Place != "Checkpoint 4" {
			t.Errorf("%s: access restrictions = %d %+v, want recorded by %q", role, code, access.AccessRestrictions, want)
		}
	}
}

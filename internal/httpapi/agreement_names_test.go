package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// TestAgreementStatusNames: the admin who changes an agreement's status
// (status_history[].by, the stream's agreement_status record's by) is
// named to staff only, over real HTTP; the public and party liaisons read
// the change, its time and reason without the name.
func TestAgreementStatusNames(t *testing.T) {
	a := newFeedAPI(t)
	const admin = "test-admin" // feedtest.Tokens' admin
	code, body := a.do(t, truce.RoleAdmin, "POST", "/api/v1/agreements/easter-truce-2025/status",
		`{"status":"collapsed","reason":"both sides resumed strikes"}`)
	var out agreementDetailJSON
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.StatusHistory) == 0 || out.StatusHistory[len(out.StatusHistory)-1].By != admin {
		t.Fatalf("POST status = %d %s, want 200 with the change by %s", code, body, admin)
	}
	size, err := a.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []truce.Role{truce.RolePublic, truce.RoleLiaison, truce.RoleAnalyst, truce.RoleMonitor, truce.RoleAdmin} {
		want := admin
		if role == truce.RolePublic || role == truce.RoleLiaison {
			want = ""
		}
		h := a.auth(role)
		var d agreementDetailJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/agreements/easter-truce-2025", h, &d); code != 200 || len(d.StatusHistory) != len(out.StatusHistory) {
			t.Fatalf("%s: GET agreement = %d, %d status changes, want %d", role, code, len(d.StatusHistory), len(out.StatusHistory))
		}
		last := d.StatusHistory[len(d.StatusHistory)-1]
		if last.Status != truce.StatusCollapsed || last.Reason != "both sides resumed strikes" || last.By != want {
			t.Errorf("%s: last status change %+v, want collapsed by %q", role, last, want)
		}
		for _, c := range d.StatusHistory {
			if want == "" && c.By != "" {
				t.Errorf("%s: status change %+v names who made it", role, c)
			}
		}

		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=agreement_status", h)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", role, resp.StatusCode)
		}
		events := sseUntil(t, sr, size-1)
		cancel()
		if len(events) == 0 {
			t.Fatalf("%s: no agreement_status event", role)
		}
		var p struct{ Record truce.StatusChange }
		e := events[len(events)-1]
		if err := json.Unmarshal([]byte(e.Data), &p); err != nil || p.Record.Status != truce.StatusCollapsed || p.Record.By != want {
			t.Errorf("%s: stream status change %s, want collapsed by %q", role, e.Data, want)
		}
		if want == "" && strings.Contains(e.Data, admin) {
			t.Errorf("%s: stream status change names the admin: %s", role, e.Data)
		}
	}
}

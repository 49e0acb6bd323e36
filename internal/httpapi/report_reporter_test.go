package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/ledger"
)

// TestReporterVisibility checks who reads who submitted a report
// (submitted_by), over real HTTP, in every place a report is served: GET
// /reports, GET /reports/{id}, the live stream and the log's entries.
// Admins, monitors and analysts read every reporter; a liaison only its
// own party's reports' (source.party, set by the server); the public
// reads no report at all. feedtest's seed: reports 0 and 2 filed by the
// UA liaison for UA, report 1 by a monitor's patrol.
func TestReporterVisibility(t *testing.T) {
	a := newFeedAPIWithLog(t)
	ruToken := liaisonToken(t, a, "RU")
	header := func(role truce.Role, tok string) http.Header {
		if tok != "" {
			return http.Header{"Authorization": {"Bearer " + tok}}
		}
		return a.auth(role)
	}
	all := []string{feedtest.LiaisonUA, feedtest.Monitor, feedtest.LiaisonUA}
	for _, tt := range []struct {
		name  string
		role  truce.Role
		token string   // instead of the role's
		sees  []string // submitted_by of reports 0, 1, 2
	}{
		{"admin", truce.RoleAdmin, "", all},
		{"monitor", truce.RoleMonitor, "", all},
		{"analyst", truce.RoleAnalyst, "", all},
		{"liaison UA", truce.RoleLiaison, "", []string{feedtest.LiaisonUA, "", feedtest.LiaisonUA}},
		{"liaison RU", truce.RoleLiaison, ruToken, []string{"", "", ""}},
	} {
		h := header(tt.role, tt.token)
		// The list.
		var list reportsJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/reports", h, &list); code != 200 || len(list.Reports) != 3 {
			t.Fatalf("%s: GET /reports = %d, %d reports", tt.name, code, len(list.Reports))
		}
		for i, r := range list.Reports {
			if r.ID != a.m.Reports[i] || r.SubmittedBy != tt.sees[i] {
				t.Errorf("%s: GET /reports[%d] = report %d by %q, want %d by %q", tt.name, i, r.ID, r.SubmittedBy, a.m.Reports[i], tt.sees[i])
			}
		}
		// One by one.
		for i, id := range a.m.Reports {
			var r truce.Report
			if code := getJSON(t, fmt.Sprintf("%s/api/v1/reports/%d", a.srv.URL, id), h, &r); code != 200 || r.ID != id || r.SubmittedBy != tt.sees[i] {
				t.Errorf("%s: GET /reports/%d = %d, by %q; want 200, by %q", tt.name, id, code, r.SubmittedBy, tt.sees[i])
			}
		}
		// The stream, from the start, reports only.
		size, err := a.db.LogSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=report", h)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", tt.name, resp.StatusCode)
		}
		events := sseUntil(t, sr, size-1)
		cancel()
		if len(events) != 3 {
			t.Fatalf("%s: %d report events, want 3", tt.name, len(events))
		}
		for i, e := range events {
			var p struct{ Record truce.Report }
			if err := json.Unmarshal([]byte(e.Data), &p); err != nil {
				t.Fatal(err)
			}
			if p.Record.ID != a.m.Reports[i] || p.Record.SubmittedBy != tt.sees[i] {
				t.Errorf("%s: stream report %d = %d by %q, want by %q", tt.name, i, p.Record.ID, p.Record.SubmittedBy, tt.sees[i])
			}
		}
		// The log: a report leaf names its reporter and cannot be cut
		// without breaking its hash, so a liaison gets it withheld.
		var page struct{ Entries []logEntry }
		if code := getJSON(t, a.srv.URL+"/api/v1/log/entries?start=0", h, &page); code != 200 || len(page.Entries) == 0 {
			t.Fatalf("%s: log entries %d", tt.name, code)
		}
		reports := 0
		for _, le := range page.Entries {
			if le.Kind != ledger.KindReport {
				continue
			}
			reports++
			if withheld := tt.role == truce.RoleLiaison; le.Withheld != withheld || strings.Contains(string(le.Data), "submitted_by") == withheld {
				t.Errorf("%s: log entry %d (report) withheld %v, data %s", tt.name, le.Index, le.Withheld, le.Data)
			}
		}
		if reports != 3 {
			t.Errorf("%s: %d report leaves in the log, want 3", tt.name, reports)
		}
		// Exports are of incidents, which carry no reporter.
		for _, f := range []string{"csv", "geojson", "ndjson"} {
			req, _ := http.NewRequest("GET", a.srv.URL+"/api/v1/export/incidents."+f, nil)
			req.Header = h
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := feedBody(t, resp)
			resp.Body.Close()
			for _, name := range all {
				if resp.StatusCode != 200 || strings.Contains(body, name) {
					t.Errorf("%s: export %s = %d, names %q: %s", tt.name, f, resp.StatusCode, name, body)
				}
			}
		}
	}
	// The public reads no reports.
	for _, path := range []string{"/api/v1/reports", fmt.Sprintf("/api/v1/reports/%d", a.m.Reports[0])} {
		if code := getJSON(t, a.srv.URL+path, nil, new(any)); code != 401 {
			t.Errorf("public GET %s = %d, want 401", path, code)
		}
	}
}

// liaisonToken adds a liaison of party to a's store and returns its token.
func liaisonToken(t *testing.T, a *feedAPI, party string) string {
	t.Helper()
	ctx := context.Background()
	u := truce.User{Name: "test-liaison-" + strings.ToLower(party), Role: truce.RoleLiaison, Party: party}
	if err := a.db.CreateUser(ctx, &u, "", "test"); err != nil {
		t.Fatal(err)
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.CreateToken(ctx, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	return tok
}

// getJSON GETs url with header h and decodes a 200's body into v.
func getJSON(t *testing.T, url string, h http.Header, v any) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h != nil {
		req.Header = h
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

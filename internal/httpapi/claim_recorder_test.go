package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// TestClaimRecorderHidden: the public and party liaisons read claims
// without the account name of the monitor who recorded them
// (recorded_by), over real HTTP, in GET /claims, GET /claims/{id} and the
// stream, and read a claim's log leaf, which holds the name and cannot
// lose it, as a withheld entry (hash only); staff (analyst, monitor,
// admin) read the name. A liaison is a party's officer: a monitor's name
// in its hands can point at a person in a conflict zone.
func TestClaimRecorderHidden(t *testing.T) {
	a := newFeedAPIWithLog(t)
	const recorder = "test-monitor" // feedtest.Tokens' monitor
	code, body := a.do(t, truce.RoleMonitor, "POST", "/api/v1/claims",
		`{"claimant":"RU","accused":"UA","from":"2025-04-19T15:00:00Z","to":"2025-04-21T21:00:00Z","summary":"4,900 violations of the Easter truce","source":{"quote":"q"}}`)
	var created truce.Claim
	if code != 201 || json.Unmarshal([]byte(body), &created) != nil || created.RecordedBy != recorder {
		t.Fatalf("POST /claims = %d %s, want 201 recorded by %s", code, body, recorder)
	}
	size, err := a.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	for _, role := range []truce.Role{truce.RolePublic, truce.RoleLiaison, truce.RoleAnalyst, truce.RoleMonitor, truce.RoleAdmin} {
		want := recorder
		if role == truce.RolePublic || role == truce.RoleLiaison {
			want = ""
		}
		h := a.auth(role)
		var list claimsJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/claims", h, &list); code != 200 || len(list.Claims) != 1 || list.Claims[0].RecordedBy != want ||
			list.Claims[0].Summary != created.Summary {
			t.Errorf("%s: GET /claims = %d %+v, want the claim recorded by %q", role, code, list.Claims, want)
		}
		var one truce.Claim
		if code := getJSON(t, fmt.Sprintf("%s/api/v1/claims/%d", a.srv.URL, created.ID), h, &one); code != 200 || one.RecordedBy != want || one.ID != created.ID {
			t.Errorf("%s: GET /claims/%d = %d %+v, want recorded by %q", role, created.ID, code, one, want)
		}
		// The stream, from the start: the claim is the log's last leaf.
		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=claim", h)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", role, resp.StatusCode)
		}
		events := sseUntil(t, sr, size-1)
		cancel()
		if len(events) != 1 {
			t.Fatalf("%s: %d claim events, want 1", role, len(events))
		}
		var p struct{ Record truce.Claim }
		if err := json.Unmarshal([]byte(events[0].Data), &p); err != nil || p.Record.ID != created.ID || p.Record.RecordedBy != want {
			t.Errorf("%s: stream claim %s, want recorded by %q", role, events[0].Data, want)
		}
		if want == "" && strings.Contains(events[0].Data, recorder) {
			t.Errorf("%s: stream claim names its recorder: %s", role, events[0].Data)
		}
		// The log.
		var page struct{ Entries []logEntry }
		if code := getJSON(t, a.srv.URL+"/api/v1/log/entries?start=0", h, &page); code != 200 {
			t.Fatalf("%s: log entries %d", role, code)
		}
		claims := 0
		for _, le := range page.Entries {
			if le.Kind != ledger.KindClaim {
				continue
			}
			claims++
			if hidden := want == ""; le.Withheld != hidden || strings.Contains(string(le.Data), recorder) == hidden {
				t.Errorf("%s: log entry %d (claim) withheld %v, data %s", role, le.Index, le.Withheld, le.Data)
			}
		}
		if claims != 1 {
			t.Errorf("%s: %d claim leaves, want 1", role, claims)
		}
	}
}

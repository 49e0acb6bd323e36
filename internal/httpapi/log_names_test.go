package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// TestLogStatusChangeNames: after an admin changes an agreement's status,
// neither the public nor a party liaison reads the admin's name anywhere in
// GET /api/v1/log/entries, yet both read the change itself (agreement,
// status, time) in full, with the commitment to the name; staff read the
// same leaf, and with the name and salt from status_history prove from
// it who made the change. The stream's record follows the same rule.
func TestLogStatusChangeNames(t *testing.T) {
	a := newFeedAPIWithLog(t)
	const admin = "test-admin" // feedtest.Tokens' admin
	code, body := a.do(t, truce.RoleAdmin, "POST", "/api/v1/agreements/easter-truce-2025/status",
		`{"status":"collapsed","reason":"both sides resumed strikes"}`)
	var out agreementDetailJSON
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.StatusHistory) == 0 {
		t.Fatalf("POST status = %d %s", code, body)
	}
	staffChange := out.StatusHistory[len(out.StatusHistory)-1]
	salt, err := hex.DecodeString(staffChange.BySalt)
	if staffChange.By != admin || err != nil || len(salt) != 32 {
		t.Fatalf("the admin's own answer: last change %+v, want by %s with a 32-byte salt", staffChange, admin)
	}
	sum := sha256.Sum256(append(salt, admin...))
	proof := hex.EncodeToString(sum[:]) // what anyone given the name and salt computes

	// entries reads the whole log as role; it returns the raw bodies and
	// the agreement status entries.
	entries := func(role truce.Role) (string, []logEntry) {
		t.Helper()
		var bodies strings.Builder
		var status []logEntry
		for start := 0; ; start += ledger.MaxEntriesPerRequest {
			code, body := a.do(t, role, "GET", fmt.Sprintf("/api/v1/log/entries?start=%d", start), "")
			var page struct {
				Entries []logEntry
				End     int64
				Size    int64
			}
			if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
				t.Fatalf("%s: GET entries = %d %s", role, code, body)
			}
			bodies.WriteString(body)
			for _, e := range page.Entries {
				if e.Kind == ledger.KindAgreementStatus {
					status = append(status, e)
				}
			}
			if page.End >= page.Size {
				break
			}
		}
		return bodies.String(), status
	}

	for _, role := range []truce.Role{truce.RolePublic, truce.RoleLiaison, truce.RoleMonitor, truce.RoleAdmin} {
		body, status := entries(role)
		staff := role != truce.RolePublic && role != truce.RoleLiaison
		if !staff && strings.Contains(body, admin) {
			t.Errorf("%s: the log names the admin", role)
		}
		if len(status) < 2 {
			t.Fatalf("%s: %d agreement_status entries, want the seed's and the new one", role, len(status))
		}
		for _, e := range status {
			var leaf struct{ Record map[string]any }
			if e.Withheld || json.Unmarshal(e.Data, &leaf) != nil {
				t.Errorf("%s: status entry %d withheld or unreadable: %+v", role, e.Index, e)
				continue
			}
			if _, ok := leaf.Record["by"]; ok {
				t.Errorf("%s: status entry %d names who made it: %s", role, e.Index, e.Data)
			}
			if _, ok := leaf.Record["by_salt"]; ok {
				t.Errorf("%s: status entry %d holds the salt: %s", role, e.Index, e.Data)
			}
		}
		last := status[len(status)-1]
		var leaf struct{ Record truce.StatusChange }
		if err := json.Unmarshal(last.Data, &leaf); err != nil {
			t.Fatal(err)
		}
		r := leaf.Record
		if r.AgreementID != "easter-truce-2025" || r.Status != truce.StatusCollapsed || r.Reason != "both sides resumed strikes" || r.At.IsZero() {
			t.Errorf("%s: the change as logged = %+v, want easter-truce-2025 collapsed with its reason and time", role, r)
		}
		if r.ByCommitment != proof {
			t.Errorf("%s: the leaf's commitment %s is not SHA-256 of the salt staff read and %s (%s)", role, r.ByCommitment, admin, proof)
		}
	}

	// GET agreement and the stream: the commitment is public, the name
	// and the salt (which with the commitment gives the name away) are
	// staff's.
	size, err := a.db.LogSize(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []truce.Role{truce.RolePublic, truce.RoleLiaison, truce.RoleAnalyst} {
		staff := role == truce.RoleAnalyst
		var d agreementDetailJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/agreements/easter-truce-2025", a.auth(role), &d); code != 200 || len(d.StatusHistory) == 0 {
			t.Fatalf("%s: GET agreement = %d", role, code)
		}
		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=agreement_status", a.auth(role))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", role, resp.StatusCode)
		}
		events := sseUntil(t, sr, size-1)
		cancel()
		var p struct{ Record truce.StatusChange }
		if len(events) == 0 || json.Unmarshal([]byte(events[len(events)-1].Data), &p) != nil {
			t.Fatalf("%s: no agreement_status event", role)
		}
		for what, c := range map[string]truce.StatusChange{"status_history": d.StatusHistory[len(d.StatusHistory)-1], "stream": p.Record} {
			want := truce.StatusChange{AgreementID: "easter-truce-2025", Status: truce.StatusCollapsed, At: c.At,
				Reason: "both sides resumed strikes", ByCommitment: proof}
			if staff {
				want.By, want.BySalt = admin, staffChange.BySalt
			}
			if c != want || c.At.IsZero() {
				t.Errorf("%s: %s's change = %+v, want %+v", role, what, c, want)
			}
		}
	}
}

// TestLogWithholdOldStatusLeaf: an agreement status leaf written before
// the commitment (migration 0013) names its admin in by, and cannot
// change; LogWithhold withholds its data from the public and liaisons by
// what the leaf holds, and serves a leaf with a commitment, or naming no
// one, to them. Staff read all.
func TestLogWithholdOldStatusLeaf(t *testing.T) {
	at := time.Date(2025, 4, 21, 8, 0, 0, 0, time.UTC)
	leaf := func(c truce.StatusChange) ledger.Entry {
		data, err := ledger.Encode(ledger.KindAgreementStatus, "7", at, c)
		if err != nil {
			t.Fatal(err)
		}
		return ledger.Entry{Index: 3, Kind: ledger.KindAgreementStatus, RecordID: "7", At: at, Data: data}
	}
	change := truce.StatusChange{AgreementID: "easter-truce-2025", Status: truce.StatusCollapsed, At: at, Reason: "strikes"}
	named, committed, anonymous := change, change, change
	named.By = "admin-old"
	committed.ByCommitment = strings.Repeat("ab", 32)
	cases := map[string]ledger.Entry{
		"named":      leaf(named),
		"committed":  leaf(committed),
		"by no one":  leaf(anonymous),
		"not json":   {Kind: ledger.KindAgreementStatus, Data: []byte(`{"record":`)},
		"no record":  {Kind: ledger.KindAgreementStatus, Data: []byte(`{"kind":"agreement_status"}`)},
		"other case": {Kind: ledger.KindAgreementStatus, Data: []byte(`{"record":{"BY":"admin-old"}}`)},
		"party":      {Kind: ledger.KindParty, Data: []byte(`{"record":{"code":"UA","name":"Ukraine"}}`)},
	}
	if !strings.Contains(string(cases["named"].Data), `"by":"admin-old"`) {
		t.Fatalf("the old leaf does not name its admin: %s", cases["named"].Data)
	}
	users := map[truce.Role]*truce.User{
		truce.RolePublic:  nil,
		truce.RoleLiaison: {Name: "l", Role: truce.RoleLiaison, Party: "UA"},
		truce.RoleMonitor: {Name: "m", Role: truce.RoleMonitor},
		truce.RoleAdmin:   {Name: "a", Role: truce.RoleAdmin},
	}
	for role, u := range users {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/log/entries?start=0", nil)
		r = r.WithContext(withCaller(r.Context(), u))
		staff := role == truce.RoleMonitor || role == truce.RoleAdmin
		for name, e := range cases {
			// Withheld from others: whatever names someone or cannot be read.
			want := !staff && name != "committed" && name != "by no one" && name != "party"
			if got := LogWithhold(r, e); got != want {
				t.Errorf("%s: LogWithhold(%s leaf %s) = %v, want %v", role, name, e.Data, got, want)
			}
		}
	}
}

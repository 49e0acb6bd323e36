package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/ledger"
)

// logEntry is an entry of GET /api/v1/log/entries as a client reads it.
type logEntry struct {
	Index    int64
	Kind     string
	RecordID string `json:"record_id"`
	At       time.Time
	Hash     []byte
	Withheld bool
	Data     []byte
	Leaf     json.RawMessage
}

// TestLogEntriesWithheldFromPublic checks issue #6's rule for the log:
// the public reads parties and agreements in full but only the hash of a
// report leaf, which names its reporter; staff read all.
func TestLogEntriesWithheldFromPublic(t *testing.T) {
	e := newTestEnv(t, Config{})
	// The server again, with the log handler built as cmd/truce builds it
	// over the test's store.
	e.srv = New(Config{DB: e.db, Now: e.clock.Now,
		Log: ledger.Handler(e.db, ledger.NewLog(e.db, nil, nil), "", ledger.WithholdData(LogWithhold))})
	e.h = e.srv.Handler()
	decode[truce.Report](t, e.do(truce.RoleMonitor, "POST", "/api/v1/reports", contractReport), 201)

	read := func(role truce.Role) (map[string]logEntry, string) {
		t.Helper()
		w := e.do(role, "GET", "/api/v1/log/entries?start=0", "")
		var page struct{ Entries []logEntry }
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &page) != nil || len(page.Entries) == 0 {
			t.Fatalf("GET entries as %q = %d %s", role, w.Code, w.Body)
		}
		byKind := map[string]logEntry{}
		for _, le := range page.Entries {
			if sum := sha256.Sum256(append([]byte{0}, le.Data...)); !le.Withheld && string(le.Hash) != string(sum[:]) {
				t.Errorf("entry %d (%s): hash %x is not the RFC 6962 leaf hash of its data", le.Index, le.Kind, le.Hash)
			}
			if len(le.Hash) != 32 {
				t.Errorf("entry %d (%s): no hash", le.Index, le.Kind)
			}
			byKind[le.Kind] = le
		}
		return byKind, w.Body.String()
	}

	public, body := read(truce.RolePublic)
	rep, ok := public[ledger.KindReport]
	if !ok {
		t.Fatalf("no report leaf in the log: %s", body)
	}
	if !rep.Withheld || rep.Data != nil || rep.Leaf != nil || rep.RecordID != "" || rep.At.IsZero() {
		t.Errorf("public report entry = %+v, want withheld with its time", rep)
	}
	if strings.Contains(body, "submitted_by") || strings.Contains(body, "monitor-user") {
		t.Errorf("the public's entries name a reporter: %s", body)
	}
	for _, kind := range []string{ledger.KindParty, ledger.KindUser} {
		if _, ok := public[kind]; !ok {
			t.Fatalf("no %s leaf in the log", kind)
		}
	}
	if p := public[ledger.KindParty]; p.Withheld || p.RecordID == "" || !strings.Contains(string(p.Leaf), `"kind":"party"`) {
		t.Errorf("public party entry = %+v, want it in full", p)
	}
	if u := public[ledger.KindUser]; !u.Withheld || u.Data != nil {
		t.Errorf("public user entry = %+v, want withheld", u)
	}

	// A liaison gets report leaves withheld: they name their reporters,
	// which a liaison reads for its own party's reports only
	// (TestReporterVisibility).
	if l, _ := read(truce.RoleLiaison); !l[ledger.KindReport].Withheld || l[ledger.KindParty].Withheld {
		t.Errorf("liaison's entries: report %+v, party %+v; want the report withheld, the party in full", l[ledger.KindReport], l[ledger.KindParty])
	}
	for _, role := range []truce.Role{truce.RoleAnalyst, truce.RoleMonitor, truce.RoleAdmin} {
		staff, body := read(role)
		full := staff[ledger.KindReport]
		if full.Withheld || full.Index != rep.Index || !strings.Contains(body, `"submitted_by":"monitor-user"`) {
			t.Fatalf("%s's report entry = %+v, want it in full", role, full)
		}
		// The hash the public got is the leaf hash of the data staff get.
		if sum := sha256.Sum256(append([]byte{0}, full.Data...)); string(rep.Hash) != string(sum[:]) {
			t.Errorf("the public's hash of entry %d %x is not the leaf hash of its data %x", rep.Index, rep.Hash, sum)
		}
	}

	// A bad or revoked token is refused, not served the public's view.
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/log/entries?start=0", "", "Authorization", "Bearer nonsense"), 401, truce.EUNAUTHORIZED, "")
	ctx := context.Background()
	tok := e.tokens[truce.RoleAnalyst]
	id, err := e.db.TokenID(ctx, auth.Hash(tok))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.RevokeToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.do(truce.RoleAnalyst, "GET", "/api/v1/log/entries?start=0", ""), 401, truce.EUNAUTHORIZED, "")
	wantError(t, e.do(truce.RoleAnalyst, "GET", "/api/v1/log/checkpoint", ""), 401, truce.EUNAUTHORIZED, "")
}

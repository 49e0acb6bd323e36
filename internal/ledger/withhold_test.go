package ledger_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// withholdLog is a signed log of 29 reports with parties UA at 5 and RU
// at 17 (31 entries), served with the data of reports, and of the party
// whose data names Russia (a decision by a leaf's data, not its kind),
// withheld from requests without an Authorization header (the ledger knows
// no users; the test stands in for the API's decision).
func withholdLog(t *testing.T) (*memSource, ledger.Key, *httptest.Server) {
	t.Helper()
	k := newKey(t, "truce.test/log")
	m := newMemSource()
	l := ledger.NewLog(m, k.Signer, nil)
	m.fill(t, 5)
	m.add(t, ledger.KindParty, "UA", testRecord{Title: "Ukraine"})
	m.fill(t, 11)
	if _, err := l.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.add(t, ledger.KindParty, "RU", testRecord{Title: "Russia"})
	m.fill(t, 13)
	if _, err := l.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	withhold := func(r *http.Request, e ledger.Entry) bool {
		return r.Header.Get("Authorization") == "" && (e.Kind != ledger.KindParty || strings.Contains(string(e.Data), "Russia"))
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/log/", ledger.Handler(m, l, k.VerifierKey, ledger.WithholdData(withhold)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return m, k, srv
}

func TestHandlerWithholdsData(t *testing.T) {
	m, _, srv := withholdLog(t)
	type entry struct {
		Index    int64
		Kind     string
		RecordID string `json:"record_id"`
		At       time.Time
		Hash     tlog.Hash
		Withheld bool
		Data     []byte
		Leaf     json.RawMessage
	}
	read := func(token string) ([]entry, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/log/entries?start=0&end=100", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		var page struct{ Entries []entry }
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&raw) != nil || json.Unmarshal(raw, &page) != nil || len(page.Entries) != 31 {
			t.Fatalf("GET entries = %d %s", resp.StatusCode, raw)
		}
		return page.Entries, string(raw)
	}

	public, body := read("")
	if strings.Contains(body, "shelling near the line") {
		t.Errorf("a withheld report's text is in the public body")
	}
	for i, e := range public {
		want := m.entries[i]
		if e.Index != int64(i) || e.Kind != want.Kind || e.Hash != tlog.RecordHash(want.Data) {
			t.Errorf("public entry %d = %+v, want index %d kind %s hash of its data", i, e, i, want.Kind)
		}
		if want.Kind == ledger.KindParty && want.RecordID == "UA" {
			if e.Withheld || e.RecordID != want.RecordID || string(e.Data) != string(want.Data) || string(e.Leaf) != string(want.Data) {
				t.Errorf("public party entry %d = %+v, want it in full", i, e)
			}
		} else if !e.Withheld || e.RecordID != "" || e.Data != nil || e.Leaf != nil || !e.At.Equal(want.At) {
			t.Errorf("public entry %d (%s %s) = %+v, want withheld with its time", i, want.Kind, want.RecordID, e)
		}
	}
	// The raw shape: a withheld entry has no data, leaf or record_id keys.
	if !strings.Contains(body, `{"index":0,"kind":"report","at":"`) || !strings.Contains(body, `"withheld":true}`) {
		t.Errorf("withheld entry shape: %s", body[:min(300, len(body))])
	}

	staff, _ := read("any")
	for i, e := range staff {
		want := m.entries[i]
		if e.Withheld || e.RecordID != want.RecordID || string(e.Data) != string(want.Data) || e.Hash != tlog.RecordHash(want.Data) {
			t.Errorf("signed-in entry %d = %+v, want it in full", i, e)
		}
	}
}

func TestVerifyRemoteWithheld(t *testing.T) {
	ctx := context.Background()
	m, k, srv := withholdLog(t)
	c, err := ledger.NewClient(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	roots := independentRoots(t, m)
	rep, err := ledger.Verify(ctx, c, k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Size != 31 || string(rep.Root[:]) != string(roots[31]) || rep.ByContent != 1 || rep.ByHashOnly != 30 || rep.Checkpoints != 2 {
		t.Fatalf("public remote verify: %+v%s", rep, problems(rep))
	}

	rep, err = ledger.Verify(ctx, c.WithToken("any"), k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.ByContent != 31 || rep.ByHashOnly != 0 {
		t.Fatalf("signed-in remote verify: %+v%s", rep, problems(rep))
	}

	// A server that changes a withheld leaf is caught by the signed roots
	// through its hash alone.
	r := m.records["report/3"]
	r.Killed = 42
	m.entries[2].Data, _ = ledger.Encode(ledger.KindReport, "3", m.entries[2].At, r)
	rehash(t, m)
	rep, err = ledger.Verify(ctx, c, k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(rep, ledger.ProblemInconsistent, 16, "") {
		t.Fatalf("public remote verify of a rewritten withheld leaf:%s", problems(rep))
	}
}

package ledger_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/truce-monitor/truce/internal/ledger"
)

// serve starts the log API over m on an httptest server.
func serve(t *testing.T, m *memSource, l *ledger.Log, k ledger.Key) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/api/v1/log/", ledger.Handler(m, l, k.VerifierKey))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestHandler(t *testing.T) {
	m, l, k := signedLog(t, 25)
	srv := serve(t, m, l, k)
	base := srv.URL + "/api/v1/log/"
	h := rfc6962.DefaultHasher
	roots := independentRoots(t, m)

	t.Run("key", func(t *testing.T) {
		code, ctype, body := get(t, base+"key")
		if code != 200 || !strings.HasPrefix(ctype, "text/plain") || string(body) != k.VerifierKey+"\n" {
			t.Fatalf("GET key = %d %s %q", code, ctype, body)
		}
	})
	t.Run("checkpoint", func(t *testing.T) {
		code, _, body := get(t, base+"checkpoint")
		var cp struct {
			Size int64
			Root string
			Note string
		}
		if code != 200 || json.Unmarshal(body, &cp) != nil {
			t.Fatalf("GET checkpoint = %d %s", code, body)
		}
		opened, err := ledger.OpenCheckpoint([]byte(cp.Note), k.Verifier)
		if err != nil || opened.Size != 25 || cp.Size != 25 || cp.Root != base64.StdEncoding.EncodeToString(roots[25]) {
			t.Fatalf("checkpoint %+v: %v", cp, err)
		}
	})
	t.Run("entries", func(t *testing.T) {
		code, _, body := get(t, base+"entries?start=3&end=6")
		var page struct {
			Start, End, Size int64
			Entries          []struct {
				Index    int64
				Kind     string
				RecordID string `json:"record_id"`
				Data     []byte
				Leaf     json.RawMessage
			}
		}
		if code != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("GET entries = %d %s", code, body)
		}
		if page.Start != 3 || page.End != 6 || page.Size != 25 || len(page.Entries) != 3 {
			t.Fatalf("page %+v", page)
		}
		for i, e := range page.Entries {
			want := m.entries[3+i]
			if e.Index != want.Index || e.Kind != "report" || e.RecordID != want.RecordID || !bytes.Equal(e.Data, want.Data) {
				t.Errorf("entry %d = %+v, want %+v", i, e, want)
			}
			var leaf struct{ ID string }
			if json.Unmarshal(e.Leaf, &leaf) != nil || leaf.ID != want.RecordID {
				t.Errorf("entry %d leaf %s", i, e.Leaf)
			}
		}
		// The end is clipped to the log.
		_, _, body = get(t, base+"entries?start=20&end=900")
		json.Unmarshal(body, &page)
		if page.End != 25 || len(page.Entries) != 5 {
			t.Fatalf("clipped page: end %d, %d entries", page.End, len(page.Entries))
		}
	})
	t.Run("inclusion", func(t *testing.T) {
		code, _, body := get(t, base+"proof/inclusion?index=7&size=20")
		var p struct{ Hashes [][]byte }
		if code != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET inclusion = %d %s", code, body)
		}
		if err := proof.VerifyInclusion(h, 7, 20, h.HashLeaf(m.entries[7].Data), p.Hashes, roots[20]); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("consistency", func(t *testing.T) {
		code, _, body := get(t, base+"proof/consistency?from=6&to=25")
		var p struct{ Hashes [][]byte }
		if code != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET consistency = %d %s", code, body)
		}
		if err := proof.VerifyConsistency(h, 6, 25, p.Hashes, roots[6], roots[25]); err != nil {
			t.Fatal(err)
		}
		code, _, body = get(t, base+"proof/consistency?from=25&to=25")
		if code != 200 || !strings.Contains(string(body), `"hashes":[]`) {
			t.Fatalf("equal sizes: %d %s", code, body)
		}
	})

	errs := []struct {
		path        string
		status      int
		code, field string
	}{
		{"entries", 400, "invalid", "start"},
		{"entries?start=x", 400, "invalid", "start"},
		{"entries?start=-1", 400, "invalid", "start"},
		{"entries?start=5&end=5", 400, "invalid", "end"},
		{"entries?start=26", 404, "not_found", "start"},
		{"proof/inclusion?size=5", 400, "invalid", "index"},
		{"proof/inclusion?index=1", 400, "invalid", "size"},
		{"proof/inclusion?index=5&size=5", 400, "invalid", "index"},
		{"proof/inclusion?index=1&size=26", 404, "not_found", "size"},
		{"proof/inclusion?index=1.5&size=3", 400, "invalid", "index"},
		{"proof/consistency?from=9&to=8", 400, "invalid", "from"},
		{"proof/consistency?from=1&to=99", 404, "not_found", "to"},
		{"proof/consistency?from=1", 400, "invalid", "to"},
		{"nothing", 404, "not_found", ""},
	}
	for _, tt := range errs {
		t.Run(tt.path, func(t *testing.T) {
			code, ctype, body := get(t, base+tt.path)
			var e struct{ Code, Message, Field string }
			if code != tt.status || !strings.HasPrefix(ctype, "application/json") || json.Unmarshal(body, &e) != nil ||
				e.Code != tt.code || e.Field != tt.field || e.Message == "" {
				t.Fatalf("GET %s = %d %s %s; want %d %s on %q", tt.path, code, ctype, body, tt.status, tt.code, tt.field)
			}
		})
	}
	t.Run("method", func(t *testing.T) {
		resp, err := http.Post(base+"checkpoint", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST checkpoint = %d", resp.StatusCode)
		}
	})
}

func TestHandlerIssuesFirstCheckpoint(t *testing.T) {
	k := newKey(t, "truce.test/log")
	m := newMemSource()
	m.fill(t, 4)
	srv := serve(t, m, ledger.NewLog(m, k.Signer, nil), k)
	code, _, body := get(t, srv.URL+"/api/v1/log/checkpoint")
	if code != 200 || len(m.cps) != 1 || m.cps[0].Size != 4 {
		t.Fatalf("GET checkpoint on an unsigned log = %d %s; %d stored", code, body, len(m.cps))
	}
}

func TestVerifyRemote(t *testing.T) {
	ctx := context.Background()
	m, l, k := signedLog(t, 2345)
	srv := serve(t, m, l, k)
	c, err := ledger.NewClient(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(ctx, c, k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	roots := independentRoots(t, m)
	if !rep.OK() || rep.Size != 2345 || string(rep.Root[:]) != string(roots[2345]) || rep.RecordsChecked || rep.HashesChecked || rep.Checkpoints != len(m.cps) {
		t.Fatalf("remote verify: %+v%s", rep, problems(rep))
	}

	// A server that rewrites a served leaf (hashes and all) is caught by
	// the signed roots.
	r := m.records["report/100"]
	r.Killed = 99
	m.entries[99].Data, _ = ledger.Encode("report", "100", m.entries[99].At, r)
	rehash(t, m)
	rep, err = ledger.Verify(ctx, c, k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(rep, ledger.ProblemInconsistent, 99, "100") {
		t.Fatalf("remote verify of a rewritten leaf:%s", problems(rep))
	}
	// So is one that serves the log under another key.
	other := newKey(t, "truce.test/log")
	rep, err = ledger.Verify(ctx, c, other.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(rep, ledger.ProblemForged, 2344, "2345") {
		t.Fatalf("remote verify with another key:%s", problems(rep))
	}
}

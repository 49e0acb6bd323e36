package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// testClock is the store's clock: one second per reading, or set back.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// storeReport is a valid report numbered i.
func storeReport(i int) truce.Report {
	return truce.Report{
		Source:      truce.ReportSource{Kind: truce.SourceMonitor, Name: "SMM patrol " + strconv.Itoa(i)},
		Occurred:    truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Europe/Kyiv"},
		Place:       truce.Place{Admin1: "UA-14"},
		Domains:     []string{"land"},
		Description: fmt.Sprintf("Shelling heard north of the line, report %d.", i),
		Language:    "en",
		SubmittedBy: "monitor-1",
	}
}

// storeLog is a SQLite store with a signed log: parties, reports one by
// one, an import batch, with checkpoints along the way.
type storeLog struct {
	path    string
	db      *store.DB
	key     ledger.Key
	log     *ledger.Log
	clock   *testClock
	reports []truce.Report // as created, with ID and LogIndex
}

func newStoreLog(t *testing.T) *storeLog {
	t.Helper()
	ctx := context.Background()
	s := &storeLog{path: filepath.Join(t.TempDir(), "truce.db"), clock: &testClock{t: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)}}
	s.open(t)
	s.key = newKey(t, "truce.test/log")
	s.log = ledger.NewLog(s.db, s.key.Signer, nil)
	for _, code := range []string{"UA", "RU"} {
		if _, err := s.db.PutParty(ctx, truce.Party{Code: code, Name: "Party " + code}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		r := storeReport(i)
		if _, err := s.db.CreateReport(ctx, &r); err != nil {
			t.Fatal(err)
		}
		s.reports = append(s.reports, r)
		if i%10 == 9 {
			s.checkpoint(t)
		}
	}
	var batch []truce.Report
	for i := range 25 {
		r := storeReport(100 + i)
		r.SubmittedBy = "import:test"
		r.ExternalID = "x" + strconv.Itoa(i)
		batch = append(batch, r)
	}
	if _, _, err := s.db.ImportReports(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r := storeReport(200 + i)
		if _, err := s.db.CreateReport(ctx, &r); err != nil {
			t.Fatal(err)
		}
		s.reports = append(s.reports, r)
	}
	s.checkpoint(t)
	return s
}

func (s *storeLog) open(t *testing.T) {
	t.Helper()
	db, err := store.Open(context.Background(), s.path, store.Options{Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s.db = db
	t.Cleanup(func() { db.Close() })
}

func (s *storeLog) checkpoint(t *testing.T) ledger.Checkpoint {
	t.Helper()
	cp, err := s.log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// sql runs statements on the database file directly, as an attacker
// with the file would, bypassing the store.
func (s *storeLog) sql(t *testing.T, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // one connection, so temporary tables last
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func (s *storeLog) verify(t *testing.T) *ledger.VerifyReport {
	t.Helper()
	rep, err := ledger.Verify(context.Background(), s.db, s.key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// at returns the log index of report i (as created one by one).
func (s *storeLog) at(i int) int64 { return *s.reports[i].LogIndex }

func TestStoreVerifyClean(t *testing.T) {
	s := newStoreLog(t)
	rep := s.verify(t)
	size, _ := s.db.LogSize(context.Background())
	if !rep.OK() || rep.Size != size || rep.Signed != size || rep.Checkpoints != 5 || !rep.RecordsChecked || !rep.HashesChecked {
		t.Fatalf("clean store: %+v%s", rep, problems(rep))
	}
	// 2 parties, 40 reports, 1 batch, 5 reports.
	if size != 48 {
		t.Fatalf("log size %d, want 48", size)
	}
}

func TestStoreTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *storeLog) []want
	}{
		{"report field updated", func(t *testing.T, s *storeLog) []want {
			r := s.reports[7]
			s.sql(t, fmt.Sprintf("UPDATE reports SET description = 'Nothing happened.' WHERE id = %d", r.ID))
			return []want{{ledger.ProblemAltered, s.at(7), strconv.FormatInt(r.ID, 10)}}
		}},
		{"report in a batch updated", func(t *testing.T, s *storeLog) []want {
			// The batch leaf lists each report's own leaf hash, so a change
			// to one of them alters the batch.
			s.sql(t, "UPDATE reports SET admin1 = 'UA-09' WHERE submitted_by = 'import:test' AND external_id = 'x3'")
			return []want{{ledger.ProblemAltered, 42, "41-65"}}
		}},
		{"report row deleted", func(t *testing.T, s *storeLog) []want {
			r := s.reports[12]
			s.sql(t, fmt.Sprintf("DELETE FROM reports WHERE id = %d", r.ID))
			return []want{{ledger.ProblemDeleted, s.at(12), strconv.FormatInt(r.ID, 10)}}
		}},
		{"log entry row deleted", func(t *testing.T, s *storeLog) []want {
			s.sql(t, fmt.Sprintf("DELETE FROM log_entries WHERE idx = %d", s.at(20)))
			return []want{{ledger.ProblemMissing, s.at(20), ""}}
		}},
		{"two log entries' data swapped", func(t *testing.T, s *storeLog) []want {
			a, b := s.at(3), s.at(4)
			s.sql(t,
				fmt.Sprintf("UPDATE log_entries SET idx = -1 WHERE idx = %d", a),
				fmt.Sprintf("UPDATE log_entries SET idx = %d WHERE idx = %d", a, b),
				fmt.Sprintf("UPDATE log_entries SET idx = %d WHERE idx = -1", b))
			return []want{
				{ledger.ProblemHash, a, strconv.FormatInt(s.reports[4].ID, 10)},
				{ledger.ProblemHash, b, strconv.FormatInt(s.reports[3].ID, 10)},
				{ledger.ProblemBackdated, b, strconv.FormatInt(s.reports[3].ID, 10)},
				{ledger.ProblemInconsistent, s.at(9), ""},
			}
		}},
		{"two log entries' data column swapped", func(t *testing.T, s *storeLog) []want {
			a, b := s.at(30), s.at(31)
			s.sql(t,
				fmt.Sprintf("CREATE TEMP TABLE old AS SELECT idx, data FROM log_entries WHERE idx IN (%d, %d)", a, b),
				fmt.Sprintf("UPDATE log_entries SET data = (SELECT data FROM old WHERE old.idx = %d - log_entries.idx) WHERE idx IN (%d, %d)", a+b, a, b))
			return []want{
				{ledger.ProblemMislabeled, a, strconv.FormatInt(s.reports[30].ID, 10)},
				{ledger.ProblemAltered, a, strconv.FormatInt(s.reports[30].ID, 10)},
				{ledger.ProblemHash, b, strconv.FormatInt(s.reports[31].ID, 10)},
			}
		}},
		{"log time changed", func(t *testing.T, s *storeLog) []want {
			s.sql(t, fmt.Sprintf("UPDATE log_entries SET at_us = at_us - 3600000000 WHERE idx = %d", s.at(15)))
			return []want{{ledger.ProblemTimestamp, s.at(15), strconv.FormatInt(s.reports[15].ID, 10)}}
		}},
		{"report's received time changed", func(t *testing.T, s *storeLog) []want {
			s.sql(t, fmt.Sprintf("UPDATE reports SET received_at_us = received_at_us - 86400000000 WHERE id = %d", s.reports[16].ID))
			return []want{{ledger.ProblemAltered, s.at(16), strconv.FormatInt(s.reports[16].ID, 10)}}
		}},
		{"checkpoint signed by another key", func(t *testing.T, s *storeLog) []want {
			other := newKey(t, "truce.test/log")
			cp, _ := s.db.LatestCheckpoint(context.Background())
			forged, _ := ledger.SignCheckpoint(other.Signer, cp.Size, cp.Root)
			s.sql(t, fmt.Sprintf("UPDATE checkpoints SET note = X'%x' WHERE size = %d", forged, cp.Size))
			return []want{{ledger.ProblemForged, cp.Size - 1, strconv.FormatInt(s.reports[44].ID, 10)}}
		}},
		{"log rolled back", func(t *testing.T, s *storeLog) []want {
			keep := s.at(38)
			s.sql(t,
				fmt.Sprintf("DELETE FROM log_entries WHERE idx >= %d", keep),
				fmt.Sprintf("DELETE FROM log_hashes WHERE idx >= %d", tlog.StoredHashIndex(0, keep)))
			return []want{{ledger.ProblemRolledBack, keep, ""}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStoreLog(t)
			wants := tt.tamper(t, s)
			rep := s.verify(t)
			for _, w := range wants {
				if !hasProblem(rep, w.kind, w.index, w.recordID) {
					t.Errorf("no %s at entry %d (%s); got:%s", w.kind, w.index, w.recordID, problems(rep))
				}
			}
			for _, p := range rep.Problems {
				if p.Index >= 0 && p.Index < rep.Size && p.RecordID == "" && p.Kind != ledger.ProblemMissing {
					t.Errorf("problem without a record id: %s", p)
				}
			}
		})
	}
}

// TestStoreBatchItemNamed checks that a change to one report of an import
// batch names that report, not only the batch.
func TestStoreBatchItemNamed(t *testing.T) {
	s := newStoreLog(t)
	var id int64
	raw, err := sql.Open("sqlite", s.path)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.QueryRow("SELECT id FROM reports WHERE submitted_by = 'import:test' AND external_id = 'x3'").Scan(&id)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	s.sql(t, fmt.Sprintf("UPDATE reports SET description = 'edited' WHERE id = %d", id))
	rep := s.verify(t)
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != ledger.ProblemAltered || rep.Problems[0].RecordKind != store.KindReportBatch ||
		!strings.Contains(rep.Problems[0].Msg, fmt.Sprintf("items (id %d)", id)) {
		t.Fatalf("want one altered batch naming report %d; got:%s", id, problems(rep))
	}
}

// TestStoreLogNeverGoesBack: a writer whose clock is behind the last
// leaf's time (another node's, or a clock set back) appends at the last
// leaf's time, so the log's times never go back and verify stays clean.
func TestStoreLogNeverGoesBack(t *testing.T) {
	s := newStoreLog(t)
	ctx := context.Background()
	size, err := s.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.db.LogEntries(ctx, size-1, size)
	if err != nil || len(last) != 1 {
		t.Fatalf("last entry: %v, %v", last, err)
	}
	s.clock.set(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)) // before every leaf
	r := storeReport(999)
	if _, err := s.db.CreateReport(ctx, &r); err != nil {
		t.Fatal(err)
	}
	got, err := s.db.LogEntries(ctx, *r.LogIndex, *r.LogIndex+1)
	if err != nil || len(got) != 1 {
		t.Fatalf("new entry: %v, %v", got, err)
	}
	if !got[0].At.Equal(last[0].At) || !r.ReceivedAt.Equal(last[0].At) {
		t.Errorf("leaf at %v, report received %v; want the last leaf's time %v", got[0].At, r.ReceivedAt, last[0].At)
	}
	s.checkpoint(t)
	if rep := s.verify(t); !rep.OK() {
		t.Errorf("verify:%s", problems(rep))
	}
}

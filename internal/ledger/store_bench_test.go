package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// sqliteLog builds a SQLite store whose log has n report leaves. Writing n
// reports one transaction each would take most of an hour at a million,
// so it writes one through the store, copies its row n-1 times in SQL, and
// logs each copy as the store would: leaf data from the store's own
// Reencode, stored hashes from tlog, in one transaction.
func sqliteLog(b *testing.B, n int) (*store.DB, ledger.Key) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "truce.db")
	at := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return at }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	r := storeReport(0)
	if _, err := db.CreateReport(ctx, &r); err != nil {
		b.Fatal(err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	var cols []string
	rows, err := raw.Query("SELECT name FROM pragma_table_info('reports') ORDER BY cid")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		if c == "id" {
			c = "c.i"
		} else {
			c = "r." + c
		}
		cols = append(cols, c)
	}
	rows.Close()
	if _, err := raw.Exec(fmt.Sprintf(`INSERT INTO reports SELECT %s FROM
		(WITH RECURSIVE c(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM c WHERE i < %d) SELECT i FROM c) c, reports r WHERE r.id = %d`,
		strings.Join(cols, ", "), r.ID+1, r.ID+int64(n)-1, r.ID)); err != nil {
		b.Fatal(err)
	}

	first := *r.LogIndex + 1
	var hashes []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	hashes, err = db.ReadHashes(ctx, seq(0, tlog.StoredHashIndex(0, first)))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	insEntry, _ := tx.Prepare("INSERT INTO log_entries (idx, kind, record_id, at_us, data) VALUES (?, ?, ?, ?, ?)")
	insHash, _ := tx.Prepare("INSERT INTO log_hashes (idx, hash) VALUES (?, ?)")
	for i := int64(1); i < int64(n); i++ {
		idx := first + i - 1
		e := ledger.Entry{Index: idx, Kind: ledger.KindReport, RecordID: fmt.Sprint(r.ID + i), At: at}
		data, err := db.Reencode(ctx, e)
		if err != nil {
			b.Fatal(err)
		}
		hs, err := tlog.StoredHashes(idx, data, hr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := insEntry.Exec(idx, e.Kind, e.RecordID, at.UnixMicro(), data); err != nil {
			b.Fatal(err)
		}
		for j, h := range hs {
			if _, err := insHash.Exec(int64(len(hashes)+j), h[:]); err != nil {
				b.Fatal(err)
			}
		}
		hashes = append(hashes, hs...)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	k := newKey(b, "truce.test/log")
	if _, err := ledger.NewLog(db, k.Signer, nil).Checkpoint(ctx); err != nil {
		b.Fatal(err)
	}
	return db, k
}

func seq(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// BenchmarkVerifySQLite verifies a log in SQLite, where every entry's
// record is read back from its table. (A million leaves takes minutes to
// build this way, so the sizes stop at 100,000; time is linear in size.)
func BenchmarkVerifySQLite(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db, k := sqliteLog(b, n)
			b.ResetTimer()
			for b.Loop() {
				rep, err := ledger.Verify(context.Background(), db, k.Verifier)
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() || rep.Size != int64(n) {
					b.Fatalf("verify: %+v%s", rep, problems(rep))
				}
			}
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "leaves/s")
		})
	}
}

// reportBatch shows what a batch re-read would give the store: the reports
// of a chunk in one ranged query (through the store's public Reports)
// instead of one query each. Other kinds fall back to Reencode. It stands
// in for store.DB implementing ledger.BatchReencoder itself.
type reportBatch struct{ *store.DB }

func (s reportBatch) ReencodeBatch(ctx context.Context, es []ledger.Entry) ([][]byte, error) {
	out := make([][]byte, len(es))
	byID := map[string]int{}
	var lo, hi int64
	for i, e := range es {
		if e.Kind != ledger.KindReport {
			data, err := s.Reencode(ctx, e)
			if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
				return nil, err
			}
			out[i] = data
			continue
		}
		id, err := strconv.ParseInt(e.RecordID, 10, 64)
		if err != nil {
			continue
		}
		if len(byID) == 0 || id < lo {
			lo = id
		}
		hi = max(hi, id)
		byID[e.RecordID] = i
	}
	if len(byID) == 0 {
		return out, nil
	}
	rs, err := s.Reports(ctx, store.ReportFilter{AfterID: lo - 1, Limit: int(hi - lo + 1)})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		i, ok := byID[strconv.FormatInt(r.ID, 10)]
		if !ok {
			continue
		}
		r.IncidentID, r.LogIndex = nil, nil // as the store's leaf omits them
		if out[i], err = ledger.Encode(ledger.KindReport, es[i].RecordID, r.ReceivedAt, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BenchmarkVerifySQLiteBatch is BenchmarkVerifySQLite with reports
// re-read a chunk at a time.
func BenchmarkVerifySQLiteBatch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db, k := sqliteLog(b, n)
			b.ResetTimer()
			for b.Loop() {
				rep, err := ledger.Verify(context.Background(), reportBatch{db}, k.Verifier)
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() || rep.Size != int64(n) {
					b.Fatalf("verify: %+v%s", rep, problems(rep))
				}
			}
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "leaves/s")
		})
	}
}

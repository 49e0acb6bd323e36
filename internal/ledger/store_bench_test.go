package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// sqliteLog builds a SQLite store whose log has n report leaves. Writing n
// reports one transaction each would take most of an hour at a million,
// so it writes one through the store, copies its row n-1 times in SQL, and
// logs each copy as the store would: leaf data from the store's own
// ReencodeBatch, stored hashes from tlog, in one transaction.
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
	const chunk = 4096
	for lo := int64(1); lo < int64(n); lo += chunk {
		es := make([]ledger.Entry, 0, chunk)
		for i := lo; i < min(lo+chunk, int64(n)); i++ {
			es = append(es, ledger.Entry{Index: first + i - 1, Kind: ledger.KindReport, RecordID: fmt.Sprint(r.ID + i), At: at})
		}
		data, err := db.ReencodeBatch(ctx, es)
		if err != nil {
			b.Fatal(err)
		}
		for k, e := range es {
			hs, err := tlog.StoredHashes(e.Index, data[k], hr)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := insEntry.Exec(e.Index, e.Kind, e.RecordID, at.UnixMicro(), data[k]); err != nil {
				b.Fatal(err)
			}
			for j, h := range hs {
				if _, err := insHash.Exec(int64(len(hashes)+j), h[:]); err != nil {
					b.Fatal(err)
				}
			}
			hashes = append(hashes, hs...)
		}
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

// BenchmarkVerifySQLite verifies a log of report leaves in SQLite, where
// every entry's record is read back from its table (by the store's
// ReencodeBatch: a ranged query per chunk, encoded on every core). The
// goal is a million leaves in under 30 s; building that log takes about a
// minute more.
func BenchmarkVerifySQLite(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db, k := sqliteLog(b, n)
			b.ResetTimer()
			cpu := cpuTime()
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
			if c := cpuTime() - cpu; c > 0 {
				// CPU seconds per verify: other load on a shared machine
				// inflates wall time, not this.
				b.ReportMetric(c.Seconds()/float64(b.N), "cpu-s/op")
			}
		})
	}
}

// oneByOne hides the store's ReencodeBatch, so that Verify re-reads each
// record with its own query, as it did before the store had it.
type oneByOne struct{ ledger.Source }

// BenchmarkVerifySQLiteOneByOne is BenchmarkVerifySQLite with a query per
// leaf: the baseline ReencodeBatch is measured against.
func BenchmarkVerifySQLiteOneByOne(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			db, k := sqliteLog(b, n)
			b.ResetTimer()
			for b.Loop() {
				rep, err := ledger.Verify(context.Background(), oneByOne{db}, k.Verifier)
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

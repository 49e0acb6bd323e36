package store_test

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestLogEdgeAcrossNodes: two stores on one PostgreSQL database append in
// turn, each finding the log grown by the other since its last commit (by
// one leaf, by a few, and by more than one lock round trip's read of
// hashes brings), and every stored hash is the one the leaves alone give.
func TestLogEdgeAcrossNodes(t *testing.T) {
	ctx := context.Background()
	dsn := freshSchema(t)
	clk := newClock()
	var dbs []*store.DB
	for range 2 {
		db, err := store.Open(ctx, dsn, store.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	n := 0
	for k, run := range []int{1, 1, 2, 3, 5, 8, 13, 1, 300, 1, 2, 1} {
		for range run {
			p := truce.Party{Code: fmt.Sprintf("P%d", n%40), Name: fmt.Sprintf("Party %d", n)}
			if _, err := dbs[k%2].PutParty(ctx, p, "edge"); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	size, err := dbs[0].LogSize(ctx)
	if err != nil || size != int64(n) {
		t.Fatalf("log size %d, %v; want %d", size, err, n)
	}
	es, err := dbs[1].LogEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	// Every stored hash again, from the leaves, in memory.
	var want []tlog.Hash
	mem := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			out[i] = want[idx]
		}
		return out, nil
	})
	for _, e := range es {
		hs, err := tlog.StoredHashes(e.Index, e.Data, mem)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, hs...)
	}
	indexes := make([]int64, len(want))
	for i := range indexes {
		indexes[i] = int64(i)
	}
	got, err := dbs[0].ReadHashes(ctx, indexes)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stored hash %d is %v; the leaves give %v", i, got[i], want[i])
		}
	}
}

package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestCopyTo moves the demo mission, grouped and judged, with a merge of
// two incidents (a row pointing into its own table) and a checkpoint,
// from SQLite into an empty store of each dialect: the log keeps its
// size and root, every record reads back the same, and a second copy
// into the now full store is refused.
func TestCopyTo(t *testing.T) {
	ctx := context.Background()
	src := mustOpen(t, store.SQLite, newClock())
	g, j := loadDemo(t, src)
	incs, err := src.Incidents(ctx, store.IncidentFilter{})
	if err != nil || len(incs) < 2 {
		t.Fatalf("demo incidents: %d, %v", len(incs), err)
	}
	if _, err := src.MergeIncidents(ctx, g, incs[0].ID, incs[1].ID, "monitor-1", "same strike"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.RecomputeFindings(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	size := logSize(t, src)
	root, err := tlog.TreeHash(size, src.HashReader(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.SaveCheckpoint(ctx, size, root, []byte("test checkpoint\n")); err != nil {
		t.Fatal(err)
	}

	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			dst := mustOpen(t, d, newClock())
			var progress []string
			sum, err := src.CopyTo(ctx, dst, func(tc store.TableCopy) { progress = append(progress, tc.Table) })
			if err != nil {
				t.Fatal(err)
			}
			if sum.LogSize != size || sum.Root != root || len(progress) != len(sum.Tables) {
				t.Errorf("summary: size %d root %s, %d tables reported of %d; want size %d root %s", sum.LogSize, sum.Root, len(progress), len(sum.Tables), size, root)
			}
			got, err := tlog.TreeHash(logSize(t, dst), dst.HashReader(ctx))
			if err != nil || got != root {
				t.Fatalf("target root %s, %v; want %s", got, err, root)
			}
			same := func(what string, read func(db *store.DB) (any, error)) {
				t.Helper()
				a, err := read(src)
				if err != nil {
					t.Fatalf("%s: source: %v", what, err)
				}
				b, err := read(dst)
				if err != nil {
					t.Fatalf("%s: target: %v", what, err)
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s differ:\nsource %+v\ntarget %+v", what, a, b)
				}
			}
			same("checkpoints", func(db *store.DB) (any, error) { return db.Checkpoints(ctx) })
			same("log entries", func(db *store.DB) (any, error) { return db.LogEntries(ctx, 0, size) })
			same("reports", func(db *store.DB) (any, error) { return db.Reports(ctx, store.ReportFilter{}) })
			same("incidents", func(db *store.DB) (any, error) { return db.Incidents(ctx, store.IncidentFilter{}) })
			same("merged incident", func(db *store.DB) (any, error) { return db.IncidentStates(ctx, incs[0].ID) })
			same("agreements", func(db *store.DB) (any, error) { return db.Agreements(ctx) })
			same("parties", func(db *store.DB) (any, error) { return db.Parties(ctx) })
			same("claims", func(db *store.DB) (any, error) { return db.Claims(ctx) })
			same("findings", func(db *store.DB) (any, error) {
				var all []truce.Finding
				as, _ := db.Agreements(ctx)
				for _, a := range as {
					fs, err := db.Findings(ctx, a.ID)
					if err != nil {
						return nil, err
					}
					all = append(all, fs...)
				}
				return all, nil
			})
			// Every leaf's record is there to re-encode, as log verify does.
			es, err := dst.LogEntries(ctx, 0, size)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				data, err := dst.Reencode(ctx, e)
				if err != nil || string(data) != string(e.Data) {
					t.Fatalf("leaf %d (%s %s) does not re-encode: %v", e.Index, e.Kind, e.RecordID, err)
				}
			}

			// The target is no longer empty.
			if _, err := src.CopyTo(ctx, dst, nil); truce.ErrorCode(err) != truce.ECONFLICT {
				t.Fatalf("second copy: %v, want ECONFLICT", err)
			}
			if n := logSize(t, dst); n != size {
				t.Errorf("refused copy changed the target's log: %d leaves, want %d", n, size)
			}
		})
	}
}

// TestCopyWhileWriting: the source keeps taking reports while it is
// copied; the copy is one consistent snapshot, whose log the target
// holds whole.
func TestCopyWhileWriting(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			src := mustOpen(t, store.SQLite, newClock())
			dst := mustOpen(t, d, newClock())
			for i := range 200 {
				r := fullReport()
				r.ExternalID = fmt.Sprintf("before-%d", i)
				if _, err := src.CreateReport(ctx, &r); err != nil {
					t.Fatal(err)
				}
			}
			stop := make(chan struct{})
			done := make(chan int)
			go func() {
				n := 0
				for {
					select {
					case <-stop:
						done <- n
						return
					default:
					}
					r := fullReport()
					r.ExternalID = fmt.Sprintf("during-%d", n)
					if _, err := src.CreateReport(ctx, &r); err != nil {
						t.Error(err)
					}
					n++
				}
			}()
			sum, err := src.CopyTo(ctx, dst, nil)
			close(stop)
			during := <-done
			if err != nil {
				t.Fatal(err)
			}
			if sum.LogSize < 200 {
				t.Fatalf("copied a log of %d leaves, want at least 200", sum.LogSize)
			}
			n := logSize(t, dst)
			root, err := tlog.TreeHash(n, dst.HashReader(ctx))
			if err != nil || n != sum.LogSize || root != sum.Root {
				t.Fatalf("target log %d leaves root %s (%v); summary %d leaves root %s", n, root, err, sum.LogSize, sum.Root)
			}
			reports, err := dst.CountReports(ctx)
			if err != nil || reports != n {
				t.Errorf("target has %d reports for %d leaves (%v)", reports, n, err)
			}
			t.Logf("%d reports written during the copy; %d copied", during, n)
		})
	}
}

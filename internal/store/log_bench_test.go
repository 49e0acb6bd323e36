package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/truce-monitor/truce"
)

// benchLeafReport is a small valid report, the kind of record most leaves
// log; i makes it unique.
func benchLeafReport(i int) truce.Report {
	return truce.Report{
		Source:      truce.ReportSource{Kind: truce.SourceMonitor, Name: fmt.Sprintf("SMM patrol %d", i%50)},
		Occurred:    truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Europe/Kyiv"},
		Place:       truce.Place{Admin1: "UA-14"},
		Domains:     []string{"land"},
		Description: fmt.Sprintf("Shelling heard north of the line, report %d.", i),
		Language:    "en",
		SubmittedBy: "monitor-1",
		ExternalID:  fmt.Sprintf("r%d", i),
	}
}

// BenchmarkLogAppend measures log appends inside normal record writes on
// SQLite, each report with its own leaf (not a batch leaf), in appends/s:
//
//	tx-N        N reports written in one transaction, as the writer
//	            batches queued writes: the log's own cost per append
//	writers-N   CreateReport from N goroutines at once, whose writes group
//	            commit merges into shared transactions (at most 256)
//
// Each transaction ends with a durable commit (synchronous=FULL), so one
// append per transaction is bound by the disk's fsyncs, not by the log.
func BenchmarkLogAppend(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("tx-%d", n), func(b *testing.B) {
			db, err := Open(ctx, filepath.Join(b.TempDir(), "truce.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			appends := 0
			for b.Loop() {
				nrs := make([]newReport, n)
				for i := range nrs {
					if nrs[i], err = normReport(benchLeafReport(appends+i), &db.zones); err != nil {
						b.Fatal(err)
					}
				}
				err := db.write(ctx, func(t *tx) error {
					stored, err := t.addReports(ctx, nrs, false)
					if err == nil && len(stored) != n {
						err = fmt.Errorf("%d of %d stored", len(stored), n)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				appends += n
			}
			b.ReportMetric(float64(appends)/b.Elapsed().Seconds(), "appends/s")
			checkLogSize(b, db, int64(appends))
		})
	}
	for _, w := range []int{64, 256} {
		b.Run(fmt.Sprintf("writers-%d", w), func(b *testing.B) {
			db, err := Open(ctx, filepath.Join(b.TempDir(), "truce.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			appends := 0
			for b.Loop() {
				var wg sync.WaitGroup
				errs := make([]error, w)
				for g := range w {
					wg.Go(func() {
						r := benchLeafReport(appends + g)
						_, errs[g] = db.CreateReport(ctx, &r)
					})
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				appends += w
			}
			b.ReportMetric(float64(appends)/b.Elapsed().Seconds(), "appends/s")
			checkLogSize(b, db, int64(appends))
		})
	}
}

func checkLogSize(b *testing.B, db *DB, want int64) {
	b.Helper()
	if n, err := db.LogSize(context.Background()); err != nil || n != want {
		b.Fatalf("log size %d, %v; want %d", n, err, want)
	}
}

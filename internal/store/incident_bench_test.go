package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// BenchmarkGroupNew imports real UCDP events with media reports made up
// around a third of them (see withMedia), repeated in time so that there
// are n reports, and groups them as the server does after an import:
// GroupNew, 5,000 new reports a transaction, on SQLite.
func BenchmarkGroupNew(b *testing.B) {
	base := withMedia(b)
	g := grouper(b)
	for _, n := range []int{4_000, 20_000} {
		var rs []truce.Report
		for k := 0; len(rs) < n; k++ {
			for _, r := range base {
				if len(rs) == n {
					break
				}
				// Each copy 9 years later, so that copies do not meet.
				shift := time.Duration(k) * 9 * 365 * 24 * time.Hour
				from, to := r.Occurred.From.Add(shift), r.Occurred.To.Add(shift)
				r.Occurred.From, r.Occurred.To = &from, &to
				r.ExternalID = fmt.Sprintf("%s/%d", r.ExternalID, k)
				rs = append(rs, r)
			}
		}
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				db := mustOpen(b, "sqlite", newClock())
				for i := 0; i < len(rs); i += 5000 {
					if _, _, err := db.ImportReports(ctx, rs[i:min(i+5000, len(rs))]); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := db.GroupNew(ctx, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}

package store_test

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// BenchmarkPrepareReports checks and encodes batches of 5,000 real UCDP
// events as dated reports (how ACLED rows come) without writing them:
// the preparing half of a bulk import, beside the writer.
func BenchmarkPrepareReports(b *testing.B) {
	src := ucdpReports(b)
	rs := make([]truce.Report, 5000)
	for i := range rs {
		r := src[i%len(src)]
		r.Occurred = truce.Occurrence{Date: r.Occurred.From.Format(time.DateOnly), Precision: "day", TZ: "Europe/Kyiv"}
		rs[i] = r
	}
	db := benchDB(b, "sqlite")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.PrepareReports(rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rs)), "ns/row")
}

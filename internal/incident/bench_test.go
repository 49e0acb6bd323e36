package incident_test

import (
	"fmt"
	"testing"

	"github.com/truce-monitor/truce/internal/incident"
)

// BenchmarkGroup groups reports resampled from real UCDP and FIRMS
// coordinates and UCDP dates (see resample), at three sizes so that the
// growth shows; reports/s is the throughput. The target is 1,000,000
// reports in under 30 s.
func BenchmarkGroup(b *testing.B) {
	ucdp, firms := loadUCDP(b), loadFIRMS(b)
	g, err := incident.NewGrouper(nil, incident.DefaultRules())
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100_000, 300_000, 1_000_000} {
		items := resample(n, ucdp, firms, 1)
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			var groups int
			for b.Loop() {
				groups = len(g.Group(items, nil, nil))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
			b.ReportMetric(float64(groups), "incidents")
		})
	}
}

package store

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// BenchmarkZoneCacheInterval resolves dated occurrences as PrepareReports'
// workers do, from several goroutines (run it with -cpu 2): 4,000
// distinct days in one zone, each met again and again, as in an ACLED
// file. Every date is a string of its own, as each row's is.
func BenchmarkZoneCacheInterval(b *testing.B) {
	day := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	occs := make([]truce.Occurrence, 50_000)
	for i := range occs {
		d := day.AddDate(0, 0, (i*7919)%4000).Format(time.DateOnly)
		occs[i] = truce.Occurrence{Date: string([]byte(d)), Precision: "day", TZ: "Europe/Kyiv"}
	}
	var z zoneCache
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, _, err := z.interval(occs[i%len(occs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

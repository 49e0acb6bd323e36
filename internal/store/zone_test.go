package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// TestZoneCacheInterval: the cached resolution agrees with
// Occurrence.Interval, results and errors, over years of dates in zones
// with clock changes at midnight (Havana), a skipped day (Apia, 30
// December 2011), half-hour offsets (Tehran) and the zones of the field.
func TestZoneCacheInterval(t *testing.T) {
	zones := []string{"Europe/Kyiv", "Europe/Moscow", "UTC", "America/Havana", "Pacific/Apia", "Asia/Tehran", "America/Santiago"}
	var cases []truce.Occurrence
	for _, tz := range zones {
		for d := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2026; d = d.AddDate(0, 0, 3) {
			for _, p := range []string{"day", "week", "month"} {
				cases = append(cases, truce.Occurrence{Date: d.Format(time.DateOnly), Precision: p, TZ: tz})
			}
		}
	}
	from, to := time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC), time.Date(2025, 5, 9, 11, 0, 0, 0, time.UTC)
	cases = append(cases,
		truce.Occurrence{Date: "2011-12-30", Precision: "day", TZ: "Pacific/Apia"},
		truce.Occurrence{Date: "2025-02-29", Precision: "day", TZ: "UTC"},
		truce.Occurrence{Date: "9 May 2025", Precision: "day", TZ: "UTC"},
		truce.Occurrence{Date: "2025-05-09", Precision: "day"},
		truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Mars/Olympus_Mons"},
		truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Local"},
		truce.Occurrence{Date: "2025-05-09", Precision: "year", TZ: "UTC"},
		truce.Occurrence{Date: "2025-05-09", TZ: "UTC"},
		truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "UTC", From: &from, To: &to},
		truce.Occurrence{From: &from, To: &to},
		truce.Occurrence{From: &from},
		truce.Occurrence{},
	)
	z := &zoneCache{}
	for range 2 { // the second time from the cache
		for _, o := range cases {
			f1, t1, err1 := o.Interval()
			f2, t2, err2 := z.interval(o)
			if !f1.Equal(f2) || !t1.Equal(t2) || !reflect.DeepEqual(err1, err2) {
				t.Fatalf("%+v: Interval = %v, %v, %v; cached %v, %v, %v", o, f1, t1, err1, f2, t2, err2)
			}
		}
	}
}

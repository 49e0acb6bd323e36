package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/truce-monitor/truce"
)

// zoneCache resolves dated occurrences with each time zone loaded once per
// import. truce.Occurrence.Interval loads the zone from the zoneinfo files
// on every call (about 20 µs, more than all the rest of a report's
// validation), and every ACLED row is a dated occurrence. The cache
// belongs to the DB (a few zone names, each loaded once); it is not
// package state.
//
// interval must agree with Occurrence.Interval: TestZoneCacheInterval
// compares them. Anything but a well-formed date, precision and known zone
// goes to Occurrence.Interval itself, for its error.
//
// The intervals themselves are kept too, by date, precision and zone: an
// import has a few thousand distinct days, and working one out in its
// zone (LocalDays) cost a twentieth of a bulk import's CPU time. Past
// maxIntervals the rest are worked out each time, so that the cache
// stays small whatever the input.
type zoneCache struct {
	m         sync.Map // zone name → *time.Location
	intervals sync.Map // date|precision|zone → [2]time.Time
	n         atomic.Int64
}

const maxIntervals = 1 << 16

func (z *zoneCache) interval(o truce.Occurrence) (from, to time.Time, err error) {
	if o.From != nil || o.To != nil || o.Date == "" || o.TZ == "" {
		return o.Interval()
	}
	key := o.Date + "|" + o.Precision + "|" + o.TZ
	if v, ok := z.intervals.Load(key); ok {
		iv := v.([2]time.Time)
		return iv[0], iv[1], nil
	}
	from, to, err = z.resolve(o)
	if err == nil && z.n.Load() < maxIntervals {
		if _, loaded := z.intervals.LoadOrStore(key, [2]time.Time{from, to}); !loaded {
			z.n.Add(1)
		}
	}
	return from, to, err
}

// resolve is interval without the cache of intervals.
func (z *zoneCache) resolve(o truce.Occurrence) (from, to time.Time, err error) {
	day, err := time.Parse(time.DateOnly, o.Date)
	if err != nil {
		return o.Interval()
	}
	first, last := day, day
	switch o.Precision {
	case "day":
	case "week":
		first, last = day.AddDate(0, 0, -3), day.AddDate(0, 0, 3)
	case "month":
		first = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		last = first.AddDate(0, 1, -1)
	default:
		return o.Interval()
	}
	var loc *time.Location
	if l, ok := z.m.Load(o.TZ); ok {
		loc = l.(*time.Location)
	} else if loc, err = truce.LoadZone(o.TZ); err != nil {
		return o.Interval()
	} else {
		z.m.Store(o.TZ, loc)
	}
	return truce.LocalDays(first, last, loc)
}

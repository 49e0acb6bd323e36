package store

import (
	"strings"
	"sync"
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
//
// A map under a read-write lock, by a key of the three strings: a
// sync.Map by their concatenation took 130-190 ns a look-up against
// 85-110 ns (BenchmarkZoneCacheInterval), the concatenation and the
// hashing of the interface key most of it.
type zoneCache struct {
	mu        sync.RWMutex
	zones     map[string]*time.Location
	intervals map[intervalKey][2]time.Time
}

// intervalKey is a dated occurrence's date, precision and zone.
type intervalKey struct{ date, precision, tz string }

const maxIntervals = 1 << 16

func (z *zoneCache) interval(o truce.Occurrence) (from, to time.Time, err error) {
	if o.From != nil || o.To != nil || o.Date == "" || o.TZ == "" {
		return o.Interval()
	}
	key := intervalKey{o.Date, o.Precision, o.TZ}
	z.mu.RLock()
	iv, ok := z.intervals[key]
	z.mu.RUnlock()
	if ok {
		return iv[0], iv[1], nil
	}
	from, to, err = z.resolve(o)
	if err != nil {
		return from, to, err
	}
	z.mu.Lock()
	if len(z.intervals) < maxIntervals {
		if z.intervals == nil {
			z.intervals = map[intervalKey][2]time.Time{}
		}
		// Copies: the report's strings may be pieces of a whole input row.
		key = intervalKey{strings.Clone(key.date), strings.Clone(key.precision), strings.Clone(key.tz)}
		z.intervals[key] = [2]time.Time{from, to}
	}
	z.mu.Unlock()
	return from, to, nil
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
	z.mu.RLock()
	loc, ok := z.zones[o.TZ]
	z.mu.RUnlock()
	if !ok {
		if loc, err = truce.LoadZone(o.TZ); err != nil {
			return o.Interval()
		}
		z.mu.Lock()
		if z.zones == nil {
			z.zones = map[string]*time.Location{}
		}
		z.zones[strings.Clone(o.TZ)] = loc
		z.mu.Unlock()
	}
	return truce.LocalDays(first, last, loc)
}

package events

import (
	"strings"
	"sync/atomic"
	"time"

	// Zone rules travel with the binary, so a verdict never depends on the
	// host's tzdata (Europe/Kyiv is missing from older copies).
	_ "time/tzdata"
)

// CountryZone returns the IANA zone in which an event's local day is read
// (contract §2): Ukraine → Europe/Kyiv, Russia → Europe/Moscow, Belarus →
// Europe/Minsk, anything else UTC. A parenthesised suffix, as in UCDP's
// "Russia (Soviet Union)", is removed first; case does not matter.
func CountryZone(country string) string {
	c := strings.TrimSpace(country)
	for strings.HasSuffix(c, ")") {
		i := strings.LastIndexByte(c, '(')
		if i < 0 {
			break
		}
		c = strings.TrimSpace(c[:i])
	}
	switch {
	case strings.EqualFold(c, "Ukraine"):
		return "Europe/Kyiv"
	case strings.EqualFold(c, "Russia"):
		return "Europe/Moscow"
	case strings.EqualFold(c, "Belarus"):
		return "Europe/Minsk"
	}
	return "UTC"
}

// zones holds the locations CountryZone names, loaded once per reader:
// time.LoadLocation reads and parses zone data on every call. It is filled
// when the reader is made and only read after, so that rows may be parsed
// on several goroutines.
type zones map[string]*zone

// A zone is a location and the starts of the local days asked of it.
type zone struct {
	loc *time.Location
	// days caches dayStart by day, direct-mapped and safe for concurrent
	// use: an entry packs the day number since 1970 (high 32 bits) and
	// the start's offset from the day's UTC midnight in seconds plus
	// dayOffsetBias (low 32 bits, never 0 in a filled entry). Files hold
	// a few thousand distinct days, and each day start costs several zone
	// lookups.
	days [1024]atomic.Uint64
}

const dayOffsetBias = 1 << 20 // seconds; offsets are within a few days

func newZones() zones {
	z := zones{}
	for _, name := range []string{"Europe/Kyiv", "Europe/Moscow", "Europe/Minsk", "UTC"} {
		z[name] = &zone{loc: loadZone(name)}
	}
	return z
}

func (z zones) get(name string) *zone {
	if zn, ok := z[name]; ok {
		return zn
	}
	return &zone{loc: loadZone(name)}
}

func loadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil { // cannot happen for the zones with tzdata embedded
		loc = time.UTC
	}
	return loc
}

// localDays is the package's localDays in z's location, from the cache
// where it can.
func (z *zone) localDays(first, last time.Time) (from, to time.Time) {
	return z.dayStart(first), z.dayStart(last.AddDate(0, 0, 1))
}

// dayStart is dayStart(day, z.loc) for a UTC midnight day.
func (z *zone) dayStart(day time.Time) time.Time {
	midnight := day.Unix()
	n := midnight / 86400
	if midnight%86400 != 0 || n != int64(int32(n)) {
		return dayStart(day, z.loc)
	}
	e := &z.days[uint64(n)%uint64(len(z.days))]
	if v := e.Load(); v != 0 && uint32(v>>32) == uint32(n) {
		return time.Unix(midnight+int64(uint32(v))-dayOffsetBias, 0).UTC()
	}
	t := dayStart(day, z.loc)
	if off := t.Unix() - midnight; off > -dayOffsetBias && off < dayOffsetBias {
		e.Store(uint64(uint32(n))<<32 | uint64(off+dayOffsetBias))
	}
	return t
}

// localDays returns [start of local day first, start of the local day
// after last) in loc; both days are given as UTC midnights.
func localDays(first, last time.Time, loc *time.Location) (from, to time.Time) {
	return dayStart(first, loc), dayStart(last.AddDate(0, 0, 1), loc)
}

// dayStart is the first instant of a local day. Where a clock change skips
// midnight the day begins when the clocks resume.
func dayStart(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	// time.Date may land on either side of a gap or of a repeated hour at
	// midnight: move to the first instant whose local date is day d.
	for t.In(loc).Day() != d {
		t = t.Add(time.Hour)
	}
	for t.Add(-time.Hour).In(loc).Day() == d {
		t = t.Add(-time.Hour)
	}
	return t.UTC()
}

package events

import (
	"strings"
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
type zones map[string]*time.Location

func newZones() zones {
	z := zones{}
	for _, name := range []string{"Europe/Kyiv", "Europe/Moscow", "Europe/Minsk", "UTC"} {
		z[name] = loadZone(name)
	}
	return z
}

func (z zones) get(name string) *time.Location {
	if loc, ok := z[name]; ok {
		return loc
	}
	return loadZone(name)
}

func loadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil { // cannot happen for the zones with tzdata embedded
		loc = time.UTC
	}
	return loc
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

package events

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors of date parsing, told apart so that a row's message says whether
// the text is not a date at all or names a day the calendar lacks.
var (
	errNotDate = errors.New("not a date")
	errNoDay   = errors.New("no such day")
)

var (
	slashDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(.*))?$`)
	monthDate = regexp.MustCompile(`^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$`)
	// timePart is what may follow a date: read so that junk is not taken
	// for a date, then ignored (contract §2).
	timePart = regexp.MustCompile(`^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$`)
)

// monthNamed reads an English month name, in full or in three letters,
// in any case.
func monthNamed(s string) (time.Month, bool) {
	for m := time.January; m <= time.December; m++ {
		if full := m.String(); strings.EqualFold(s, full) || strings.EqualFold(s, full[:3]) {
			return m, true
		}
	}
	return 0, false
}

// ParseACLEDDate reads an ACLED event_date: YYYY-MM-DD; D/M/YYYY or
// DD/MM/YYYY, day first, optionally followed by a time that is ignored; or
// D Month YYYY with the English month name in full or in three letters.
// Surrounding spaces are ignored. The date is returned as a UTC midnight.
func ParseACLEDDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if y, m, d, rest, ok := isoPrefix(s); ok {
		if rest != "" { // the ISO form takes no time part here
			return time.Time{}, errNotDate
		}
		return civilDate(y, m, d)
	}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		if m[4] != "" && !timePart.MatchString(m[4]) {
			return time.Time{}, errNotDate
		}
		return civilDate(m[3], m[2], m[1])
	}
	if m := monthDate.FindStringSubmatch(s); m != nil {
		mon, ok := monthNamed(m[2])
		if !ok {
			return time.Time{}, errNotDate
		}
		return civilDate(m[3], strconv.Itoa(int(mon)), m[1])
	}
	return time.Time{}, errNotDate
}

// ParseUCDPDate reads a UCDP date_start or date_end: YYYY-MM-DD,
// optionally followed by a time that is ignored.
func ParseUCDPDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	y, m, d, rest, ok := isoPrefix(s)
	if !ok {
		return time.Time{}, errNotDate
	}
	if rest != "" {
		// A time part follows a space or a T.
		t, cut := strings.CutPrefix(rest, "T")
		if !cut {
			if t = strings.TrimLeft(rest, " \t"); t == rest {
				return time.Time{}, errNotDate
			}
		}
		if !timePart.MatchString(t) {
			return time.Time{}, errNotDate
		}
	}
	return civilDate(y, m, d)
}

// isoPrefix splits a leading YYYY-MM-DD off s. It is written out by hand:
// UCDP files hold two dates a row, and a regular expression was a tenth of
// the time of reading one.
func isoPrefix(s string) (y, m, d, rest string, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return "", "", "", "", false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return "", "", "", "", false
		}
	}
	return s[0:4], s[5:7], s[8:10], s[10:], true
}

// civilDate checks that the day exists: 31/02 reads as a date but names
// no day, and time.Date would quietly roll it into March.
func civilDate(ys, ms, ds string) (time.Time, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, errNoDay
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, errNoDay
	}
	return t, nil
}

// dateMessage words a date error for a row report.
func dateMessage(value string, err error) string {
	if errors.Is(err, errNoDay) {
		return fmt.Sprintf("%q names a day that does not exist", value)
	}
	return fmt.Sprintf("%q is not a date", value)
}

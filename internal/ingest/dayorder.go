package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Spreadsheet programs re-save dates in the order of the machine's locale,
// and a file edited in more than one place mixes orders and layouts
// ("1/22/2014 12:00:00 AM" beside "01/01/2015 00:00"). A date whose first
// number is above 12 can only be day first, one whose second is above 12
// only month first; the rest (05/02/2014) read either way. The order is
// inferred from the file as a whole:
//
//   - all evidence one way: every date in the file is read that way;
//   - evidence both ways: each layout (separator and time style) is read the
//     way its own evidence goes, if it has any and all of it agrees;
//   - otherwise a date that reads either way is ambiguous. A row's other
//     date may still settle it (only one reading puts date_start on or
//     before date_end); if not, the row is rejected, naming both readings,
//     rather than guessed.

// dayOrder is the order of day and month in a slash date.
type dayOrder int

const (
	orderUnknown dayOrder = iota
	orderDayFirst
	orderMonthFirst
)

func (o dayOrder) String() string {
	switch o {
	case orderDayFirst:
		return "day first (D/M/YYYY)"
	case orderMonthFirst:
		return "month first (M/D/YYYY)"
	}
	return "unknown"
}

// slashDate is a date written N/N/YYYY (or with dots or dashes), with an
// optional time that is not read.
type slashDate struct {
	a, b, year int
	layout     string // separator and time style, e.g. "/ 12h"
}

var slashPattern = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})(?:[ T](.*))?$`)

// parseSlash reads a slash date, or reports that s is not one.
func parseSlash(s string) (slashDate, bool) {
	m := slashPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || m[2] != m[4] {
		return slashDate{}, false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	y, _ := strconv.Atoi(m[5])
	style := "none"
	switch t := strings.ToUpper(m[6]); {
	case strings.HasSuffix(t, "AM") || strings.HasSuffix(t, "PM"):
		style = "12h"
	case t != "":
		style = "24h"
	}
	return slashDate{a: a, b: b, year: y, layout: m[2] + " " + style}, true
}

// own is the only order the date can be read in, or orderUnknown if both
// (or neither) fit.
func (d slashDate) own() dayOrder {
	switch {
	case d.a > 12 && d.b <= 12:
		return orderDayFirst
	case d.b > 12 && d.a <= 12:
		return orderMonthFirst
	}
	return orderUnknown
}

// either reports whether the date reads two different ways.
func (d slashDate) either() bool { return d.a <= 12 && d.b <= 12 && d.a != d.b }

// in returns the date read in order o.
func (d slashDate) in(o dayOrder) (time.Time, error) {
	day, month := d.a, d.b
	if o == orderMonthFirst {
		day, month = d.b, d.a
	}
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, fmt.Errorf("no month %d", month)
	}
	t := time.Date(d.year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("no day %d in %s %d", day, time.Month(month), d.year)
	}
	return t, nil
}

// orderEvidence counts the dates that can only be read one way, per layout
// and in all.
type orderEvidence struct {
	layouts    map[string]*[3]int // by layout: [unused, day first, month first]
	total      [3]int
	slashDates int
}

func (e *orderEvidence) add(d slashDate) {
	if e.layouts == nil {
		e.layouts = map[string]*[3]int{}
	}
	e.slashDates++
	l := e.layouts[d.layout]
	if l == nil {
		l = new([3]int)
		e.layouts[d.layout] = l
	}
	o := d.own()
	l[o]++
	e.total[o]++
}

// orderDecision is how the file's slash dates are read.
type orderDecision struct {
	file    dayOrder            // the whole file's order, when the evidence agrees
	layouts map[string]dayOrder // per layout, when it does not
	ev      orderEvidence
}

func (e orderEvidence) decide() orderDecision {
	d := orderDecision{layouts: map[string]dayOrder{}, ev: e}
	dayFirst, monthFirst := e.total[orderDayFirst], e.total[orderMonthFirst]
	switch {
	case dayFirst > 0 && monthFirst == 0:
		d.file = orderDayFirst
	case monthFirst > 0 && dayFirst == 0:
		d.file = orderMonthFirst
	case dayFirst > 0 && monthFirst > 0:
		for name, l := range e.layouts {
			switch {
			case l[orderDayFirst] > 0 && l[orderMonthFirst] == 0:
				d.layouts[name] = orderDayFirst
			case l[orderMonthFirst] > 0 && l[orderDayFirst] == 0:
				d.layouts[name] = orderMonthFirst
			}
		}
	}
	return d
}

// orderFor is the order a date of this layout is read in, if known.
func (o orderDecision) orderFor(d slashDate) dayOrder {
	if own := d.own(); own != orderUnknown {
		return own
	}
	if !d.either() {
		return orderDayFirst // 05/05: both readings agree
	}
	if o.file != orderUnknown {
		return o.file
	}
	return o.layouts[d.layout]
}

// describe says what was inferred, for the summary.
func (o orderDecision) describe() string {
	df, mf := o.ev.total[orderDayFirst], o.ev.total[orderMonthFirst]
	switch {
	case o.file != orderUnknown:
		n, against := df, mf
		if o.file == orderMonthFirst {
			n, against = mf, df
		}
		return fmt.Sprintf("dates read %s, inferred file-wide: %s dates can only be read that way, %d the other", o.file, groupDigits(int64(n)), against)
	case df > 0 && mf > 0:
		return fmt.Sprintf("dates in mixed orders (%s only day first, %s only month first): read per layout where the layout's own dates agree", groupDigits(int64(df)), groupDigits(int64(mf)))
	}
	return fmt.Sprintf("the order of day and month cannot be inferred: none of %s slash dates has a number above 12", groupDigits(int64(o.ev.slashDates)))
}

package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/events"
)

// ucdpReader reads a UCDP GED file through internal/events, after a
// preparation of its own (ucdpPrep): the text is UTF-8 by then (a
// Windows-1252 file is transcoded by input), and dates that a spreadsheet
// rewrote as N/N/YYYY are put back as YYYY-MM-DD in the order inferred for
// the whole file (see dayorder.go). Rows keep their line numbers: events
// reports the original file's lines.
type ucdpReader struct {
	header  []string
	ev      *events.Reader
	prep    *ucdpPrep
	held    *events.Record // read from events, waiting behind an earlier prep error
	heldErr error
}

func openUCDP(f *openFile) (Reader, error) {
	c := f.c
	idx, err := c.require(FormatUCDP, "date_start", "date_end", "where_prec", "latitude", "longitude")
	if err != nil {
		return nil, err
	}
	// First pass: the evidence for the order of day and month.
	var ev orderEvidence
	for {
		rec, _, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				continue // reported in the second pass
			}
			return nil, err
		}
		for _, i := range idx[:2] {
			if d, ok := parseSlash(rec[i]); ok {
				ev.add(d)
			}
		}
	}
	if err := f.in.rewind(); err != nil {
		return nil, err
	}
	c2, err := newCSVReader(f.in)
	if err != nil {
		return nil, err
	}
	p := &ucdpPrep{c: c2, ds: idx[0], de: idx[1], wp: idx[2], lat: idx[3], lon: idx[4]}
	if ev.slashDates > 0 {
		d := ev.decide()
		p.order = &d
	}
	p.w = csv.NewWriter(&p.buf)
	if err := p.w.Write(c2.header); err != nil {
		return nil, err
	}
	p.w.Flush()
	p.outLine = 1
	evr, err := events.NewReader(p, f.in.name)
	if err != nil {
		return nil, eventsError(err)
	}
	if evr.Format() != events.UCDP {
		return nil, &FileError{File: f.in.name, Msg: "ucdp-ged: not a UCDP GED header"}
	}
	return &ucdpReader{header: c.header, ev: evr, prep: p}, nil
}

func (r *ucdpReader) Header() []string { return r.header }

func (r *ucdpReader) Notes() []string {
	p := r.prep
	if p.order == nil {
		return nil
	}
	notes := []string{p.order.describe()}
	notes = append(notes, fmt.Sprintf("%s rows have a date that alone reads either way: %s settled by the file's order, %s by the row's other date, %s stay ambiguous and are rejected",
		groupDigits(int64(p.eitherRows)), groupDigits(int64(p.byFile)), groupDigits(int64(p.byRow)), groupDigits(int64(p.ambiguous))))
	return notes
}

func (r *ucdpReader) Next() (Item, error) {
	if r.held == nil && r.heldErr == nil {
		r.held, r.heldErr = r.ev.Next()
	}
	line := -1 // events is done, or failed: prep's errors come first
	var re *events.RowError
	switch {
	case r.heldErr == nil:
		line = r.held.Line
	case errors.As(r.heldErr, &re):
		line = re.Line
	}
	if pe := r.prep.firstErr(); pe != nil && (line < 0 || pe.Line < line) {
		r.prep.errs = r.prep.errs[1:]
		return Item{}, pe
	}
	rec, err := r.held, r.heldErr
	r.held, r.heldErr = nil, nil
	if err != nil {
		return Item{}, eventsError(err)
	}
	latlon := r.prep.takeLatLon(rec.Line)
	rep, err := recordReport(rec, FormatUCDP)
	if err != nil {
		return Item{}, err
	}
	if !rec.HasPlace {
		lat, err1 := parseLat(latlon[0])
		lon, err2 := parseLon(latlon[1])
		switch {
		case err1 != nil:
			return Item{}, &RowError{File: rec.File, Line: rec.Line, Column: "latitude", Msg: err1.Error() + " (where_prec 7 still needs a representative point)"}
		case err2 != nil:
			return Item{}, &RowError{File: rec.File, Line: rec.Line, Column: "longitude", Msg: err2.Error() + " (where_prec 7 still needs a representative point)"}
		}
		rep.Place = truce.Point(lat, lon, truce.MaxRadiusKm)
	}
	return Item{Line: rec.Line, Report: rep}, nil
}

// ucdpPrep is the io.Reader events reads: the file's records written out
// again with normalised dates, each on the line it started on in the file
// (blank lines, which CSV readers skip, fill the gaps left by rows held
// back), so every message names the file's own line.
type ucdpPrep struct {
	c                    *csvReader
	order                *orderDecision // nil: no slash dates, nothing to normalise
	ds, de, wp, lat, lon int
	buf                  bytes.Buffer
	w                    *csv.Writer
	outLine              int
	eof                  bool
	errs                 []*RowError // rows held back, in line order
	places               []linePlace // lat, lon of where_prec 7 rows not yet taken
	eitherRows, byFile   int
	byRow, ambiguous     int
}

type linePlace struct {
	line     int
	lat, lon string
}

func (p *ucdpPrep) Read(b []byte) (int, error) {
	for p.buf.Len() == 0 && !p.eof {
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	if p.buf.Len() == 0 {
		return 0, io.EOF
	}
	return p.buf.Read(b)
}

func (p *ucdpPrep) firstErr() *RowError {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs[0]
}

// takeLatLon returns the coordinates as written of a where_prec 7 row.
func (p *ucdpPrep) takeLatLon(line int) [2]string {
	for len(p.places) > 0 && p.places[0].line < line {
		p.places = p.places[1:]
	}
	if len(p.places) > 0 && p.places[0].line == line {
		pl := p.places[0]
		p.places = p.places[1:]
		return [2]string{pl.lat, pl.lon}
	}
	return [2]string{}
}

// fill writes the next record.
func (p *ucdpPrep) fill() error {
	rec, line, err := p.c.next()
	if err == io.EOF {
		p.eof = true
		return nil
	}
	var re *RowError
	if errors.As(err, &re) {
		if re.Raw == nil || re.Column != "" {
			// Not CSV, or a bad byte: events could not say better.
			p.errs = append(p.errs, re)
			return nil
		}
		rec = re.Raw // a wrong field count: events words it as for ACLED
	} else if err != nil {
		return err
	}
	if p.order != nil && len(rec) > max(p.ds, p.de) {
		if e := p.normalise(rec, line); e != nil {
			p.errs = append(p.errs, e)
			return nil
		}
	}
	if len(rec) > p.wp && strings.TrimSpace(rec[p.wp]) == "7" && len(rec) > max(p.lat, p.lon) {
		p.places = append(p.places, linePlace{line, rec[p.lat], rec[p.lon]})
	}
	for p.outLine < line-1 {
		p.buf.WriteByte('\n')
		p.outLine++
	}
	if err := p.w.Write(rec); err != nil {
		return err
	}
	p.w.Flush()
	p.outLine++
	for _, f := range rec {
		p.outLine += strings.Count(f, "\n")
	}
	return nil
}

// normalise rewrites the slash dates of rec as YYYY-MM-DD, or returns the
// row's error when one stays ambiguous. Dates that are no dates are left
// for events to report.
func (p *ucdpPrep) normalise(rec []string, line int) *RowError {
	cols := [2]int{p.ds, p.de}
	var ds [2]slashDate
	var is [2]bool
	either := false
	for k, i := range cols {
		ds[k], is[k] = parseSlash(rec[i])
		either = either || is[k] && ds[k].either()
	}
	if either {
		p.eitherRows++
	}
	orders := [2]dayOrder{}
	for k := range cols {
		if is[k] {
			orders[k] = p.order.orderFor(ds[k])
		}
	}
	settledByFile := true
	if is[0] && is[1] && (orders[0] == orderUnknown || orders[1] == orderUnknown) {
		settledByFile = false
		// Only one pair of readings may put the start on or before the end.
		var fits [][2]dayOrder
		for _, o0 := range candidates(ds[0], orders[0]) {
			for _, o1 := range candidates(ds[1], orders[1]) {
				t0, err0 := ds[0].in(o0)
				t1, err1 := ds[1].in(o1)
				if err0 == nil && err1 == nil && !t1.Before(t0) {
					fits = append(fits, [2]dayOrder{o0, o1})
				}
			}
		}
		if len(fits) == 1 {
			orders = fits[0]
			p.byRow++
		}
	}
	for k, i := range cols {
		if !is[k] {
			continue
		}
		if orders[k] == orderUnknown {
			p.ambiguous++
			d := ds[k]
			t1, _ := d.in(orderDayFirst)
			t2, _ := d.in(orderMonthFirst)
			return &RowError{File: p.c.file, Line: line, Column: p.c.header[i], Raw: append([]string(nil), rec...),
				Msg: fmt.Sprintf("ambiguous date %q: %s read day first, %s month first, and the file does not settle the order (%s)",
					strings.TrimSpace(rec[i]), t1.Format("2006-01-02"), t2.Format("2006-01-02"), p.order.describe())}
		}
		if t, err := ds[k].in(orders[k]); err == nil {
			rec[i] = t.Format("2006-01-02")
		}
	}
	if either && settledByFile {
		p.byFile++
	}
	return nil
}

// candidates are the orders a date may be read in.
func candidates(d slashDate, o dayOrder) []dayOrder {
	if o != orderUnknown {
		return []dayOrder{o}
	}
	return []dayOrder{orderDayFirst, orderMonthFirst}
}

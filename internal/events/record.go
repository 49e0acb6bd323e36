package events

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Record is one well-formed row with the fields adjudication reads, raw
// and interpreted. Fields of the other format are empty.
type Record struct {
	Format Format
	File   string
	Line   int // where the record starts
	ID     string

	EventType         string // ACLED event_type; UCDP type_of_violence
	SubEventType      string // ACLED sub_event_type
	Actor1, Actor2    string // ACLED actor1, actor2; UCDP side_a, side_b
	Country           string
	Notes             string // ACLED notes
	CivilianTargeting string // ACLED civilian_targeting
	Headline          string // UCDP source_headline
	WhereDescription  string // UCDP where_description

	// When: local days FirstDay..LastDay (UTC midnights naming dates) in
	// Zone, and the instants [From, To) they cover.
	DateText      string // event_date, or date_start and date_end, as written
	TimePrecision int    // ACLED time_precision; 0 for UCDP
	Zone          *time.Location
	FirstDay      time.Time
	LastDay       time.Time
	From, To      time.Time

	// Where: a point with an uncertainty radius, unless HasPlace is false
	// (UCDP where_prec 7: water or airspace).
	HasPlace  bool
	Lat, Lon  float64
	Precision int // ACLED geo_precision, UCDP where_prec
	RadiusKm  float64

	// What, to whom, by whom (contract §2): nil Domains means the event is
	// not a hostile act.
	Domains      []string
	Targets      []string
	Perpetrators []string
}

// Hostile reports whether the event is a hostile act.
func (r *Record) Hostile() bool { return r.Domains != nil }

// When describes the event's local days, e.g. "2025-04-20 (Europe/Kyiv)"
// or "2025-04-17–2025-04-23 (Europe/Kyiv)".
func (r *Record) When() string {
	const day = "2006-01-02"
	var buf [80]byte
	b := r.FirstDay.AppendFormat(buf[:0], day)
	if !r.FirstDay.Equal(r.LastDay) {
		b = append(b, "–"...)
		b = r.LastDay.AppendFormat(b, day)
	}
	b = append(b, " ("...)
	b = append(b, r.Zone.String()...)
	return string(append(b, ')'))
}

// Kind describes what sort of event the row records, for explanations:
// ACLED "event_type/sub_event_type", UCDP "type_of_violence N".
func (r *Record) Kind() string {
	if r.Format == UCDP {
		switch t := strings.TrimSpace(r.EventType); t {
		case "1", "2", "3": // without an allocation an event
			return ucdpKinds[t[0]-'1']
		default:
			return "UCDP type_of_violence " + t
		}
	}
	return strings.TrimSpace(r.EventType) + "/" + strings.TrimSpace(r.SubEventType)
}

var ucdpKinds = [...]string{"UCDP type_of_violence 1", "UCDP type_of_violence 2", "UCDP type_of_violence 3"}

// Radii in km by place precision code (contract §2).
var (
	acledRadius = map[int]float64{1: 2, 2: 15, 3: 50}
	ucdpRadius  = map[int]float64{1: 2, 2: 15, 3: 25, 4: 50, 5: 150, 6: 500}
)

// row is one CSV record being read into a Record.
type row struct {
	rd   *Reader
	rec  []string
	line int
}

// get returns a column's value; "" for an optional column the file lacks.
func (w row) get(c column) string {
	i := w.rd.at[c]
	if i < 0 || i >= len(w.rec) {
		return ""
	}
	return w.rec[i]
}

func (w row) fail(col, format string, args ...any) *RowError {
	return &RowError{File: w.rd.file, Line: w.line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// checkWidth refuses a row that does not fit the header: values would land
// in the wrong columns. Extra empty fields (a trailing comma) are harmless.
func (w row) checkWidth() error {
	n := len(w.rec)
	if n < w.rd.width {
		return w.fail(strings.TrimSpace(w.rd.header[n]), "missing: the row has %d fields, the header %d", n, w.rd.width)
	}
	for _, f := range w.rec[w.rd.width:] {
		if f != "" {
			return w.fail("", "the row has %d fields, the header %d", n, w.rd.width)
		}
	}
	return nil
}

func (w row) id(col column) (string, error) {
	id := strings.TrimSpace(w.get(col))
	if id == "" {
		return "", w.fail(col.String(), "empty id")
	}
	return id, nil
}

// code reads a precision code in lo..hi.
func (w row) code(col column, lo, hi int) (int, error) {
	v := strings.TrimSpace(w.get(col))
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, w.fail(col.String(), "%q is not a code %d to %d", v, lo, hi)
	}
	return n, nil
}

// coord reads a latitude or longitude within ±limit degrees.
func (w row) coord(col column, limit float64) (float64, error) {
	v := strings.TrimSpace(w.get(col))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, w.fail(col.String(), "%q is not a number", v)
	}
	if f < -limit || f > limit {
		return 0, w.fail(col.String(), "%s is out of range -%g..%g", v, limit, limit)
	}
	return f, nil
}

// base starts a record, with its zone and the zone's cache of day starts.
func (w row) base(id string) (*Record, *zone) {
	r := &Record{Format: w.rd.format, File: w.rd.file, Line: w.line, ID: id, Country: w.get(colCountry)}
	z := w.rd.zones.get(CountryZone(r.Country))
	r.Zone = z.loc
	return r, z
}

func (w row) acled() (*Record, error) {
	id, err := w.id(colEventIDCnty)
	if err != nil {
		return nil, err
	}
	r, z := w.base(id)
	r.DateText = w.get(colEventDate)
	day, err := ParseACLEDDate(r.DateText)
	if err != nil {
		return nil, w.fail(colEventDate.String(), "%s", dateMessage(r.DateText, err))
	}
	if r.TimePrecision, err = w.code(colTimePrecision, 1, 3); err != nil {
		return nil, err
	}
	switch r.TimePrecision {
	case 1:
		r.FirstDay, r.LastDay = day, day
	case 2:
		r.FirstDay, r.LastDay = day.AddDate(0, 0, -3), day.AddDate(0, 0, 3)
	case 3:
		r.FirstDay = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		r.LastDay = r.FirstDay.AddDate(0, 1, -1)
	}
	r.From, r.To = z.localDays(r.FirstDay, r.LastDay)
	if r.Precision, err = w.code(colGeoPrecision, 1, 3); err != nil {
		return nil, err
	}
	if r.Lat, err = w.coord(colLatitude, 90); err != nil {
		return nil, err
	}
	if r.Lon, err = w.coord(colLongitude, 180); err != nil {
		return nil, err
	}
	r.HasPlace, r.RadiusKm = true, acledRadius[r.Precision]

	r.EventType, r.SubEventType = w.get(colEventType), w.get(colSubEventType)
	r.Actor1, r.Actor2 = w.get(colActor1), w.get(colActor2)
	r.Notes, r.CivilianTargeting = w.get(colNotes), w.get(colCivilianTargeting)
	// Targets and perpetrators are read for every event, hostile or not,
	// so that an explanation (truce adjudicate --all) states them truly.
	notes := sharedText{s: r.Notes} // split into words at most once
	r.Domains = acledDomains(r.SubEventType, &notes)
	r.Targets = acledTargets(r.EventType, r.CivilianTargeting, &notes)
	r.Perpetrators = ACLEDPerpetrators(r.EventType, r.Actor1, r.Actor2)
	return r, nil
}

func (w row) ucdp() (*Record, error) {
	id, err := w.id(colID)
	if err != nil {
		return nil, err
	}
	r, z := w.base(id)
	start, end := w.get(colDateStart), w.get(colDateEnd)
	r.DateText = start + ".." + end
	if r.FirstDay, err = ParseUCDPDate(start); err != nil {
		return nil, w.fail(colDateStart.String(), "%s", dateMessage(start, err))
	}
	if r.LastDay, err = ParseUCDPDate(end); err != nil {
		return nil, w.fail(colDateEnd.String(), "%s", dateMessage(end, err))
	}
	if r.LastDay.Before(r.FirstDay) {
		return nil, w.fail(colDateEnd.String(), "%s is before date_start %s", strings.TrimSpace(end), strings.TrimSpace(start))
	}
	r.From, r.To = z.localDays(r.FirstDay, r.LastDay)
	if r.Precision, err = w.code(colWherePrec, 1, 7); err != nil {
		return nil, err
	}
	if r.Precision != 7 { // water or airspace: the coordinates are not read
		if r.Lat, err = w.coord(colLatitude, 90); err != nil {
			return nil, err
		}
		if r.Lon, err = w.coord(colLongitude, 180); err != nil {
			return nil, err
		}
		r.HasPlace, r.RadiusKm = true, ucdpRadius[r.Precision]
	}

	r.EventType = w.get(colTypeOfViolence)
	r.Actor1, r.Actor2 = w.get(colSideA), w.get(colSideB)
	r.Headline, r.WhereDescription = w.get(colSourceHeadline), w.get(colWhereDescription)
	r.Domains = UCDPDomains(r.Precision)
	r.Targets = UCDPTargets(r.EventType, r.Headline, r.WhereDescription)
	r.Perpetrators = UCDPPerpetrators(r.EventType, r.Actor1, r.Actor2)
	return r, nil
}

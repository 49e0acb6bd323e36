package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// Mapping reads a CSV of incidents that no named format covers. It is a
// small JSON file naming, for each report field, the column that holds it
// ("columns") or a value for every row ("defaults"); a column's value wins
// over a default when it is not empty. testdata/mapping-example.json shows
// one in use.
//
//	{
//	  "name": "kyiv-independent",
//	  "columns": {"external_id": "id", "date": "day", "lat": "latitude", "lon": "longitude",
//	              "domains": "domain", "description": "what happened", "source_url": "link"},
//	  "defaults": {"precision": "day", "tz": "Europe/Kyiv", "radius_km": "5",
//	               "source_kind": "media", "source_name": "Kyiv Independent"},
//	  "date_order": "dmy",
//	  "list_separator": ";"
//	}
//
// Fields: external_id; date, precision (day, week, month), tz — or from,
// to (RFC 3339, or YYYY-MM-DD HH:MM[:SS] in UTC); lat, lon, radius_km — or
// admin1 (an ISO 3166-2 code or a Ukrainian oblast's name); domains,
// targets, perpetrators (lists split on list_separator, default ";");
// description, language; source_kind, source_name, source_url;
// event_type, sub_event_type, country.
//
// date_order says how to read dates written N/N/YYYY: "dmy" or "mdy"; ISO
// dates (YYYY-MM-DD) are always read. name keeps the dataset's reports apart
// from other generic imports: they are submitted as "import:csv:<name>",
// and external_id is unique within it. Without an external_id column a row's
// id is the hash of its fields, so the same file imports once. Unknown keys
// and fields are errors.
type Mapping struct {
	Name          string            `json:"name"`
	Columns       map[string]string `json:"columns"`
	Defaults      map[string]string `json:"defaults"`
	DateOrder     string            `json:"date_order"`
	ListSeparator string            `json:"list_separator"`
}

// mappingFields are the report fields a mapping may name.
var mappingFields = []string{
	"external_id", "date", "precision", "tz", "from", "to", "lat", "lon", "radius_km", "admin1",
	"domains", "targets", "perpetrators", "description", "language",
	"source_kind", "source_name", "source_url", "event_type", "sub_event_type", "country",
}

// ParseMapping reads a mapping file. The error names the key at fault.
func ParseMapping(r io.Reader) (*Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	var m Mapping
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping: %v", jsonErr(err, ""))
	}
	for _, part := range []struct {
		name string
		m    map[string]string
	}{{"columns", m.Columns}, {"defaults", m.Defaults}} {
		for k := range part.m {
			if !slices.Contains(mappingFields, k) {
				return nil, fmt.Errorf("mapping: %s: unknown field %q (known: %s)", part.name, k, strings.Join(mappingFields, ", "))
			}
		}
	}
	switch m.DateOrder {
	case "", "dmy", "mdy":
	default:
		return nil, fmt.Errorf("mapping: date_order: %q is neither \"dmy\" nor \"mdy\"", m.DateOrder)
	}
	if m.ListSeparator == "" {
		m.ListSeparator = ";"
	}
	has := func(f string) bool { return m.Columns[f] != "" || m.Defaults[f] != "" }
	switch {
	case !has("description"):
		return nil, errors.New("mapping: description: required (a column or a default)")
	case !has("domains"):
		return nil, errors.New("mapping: domains: required (a column or a default)")
	case !has("date") && !(has("from") && has("to")):
		return nil, errors.New("mapping: give date (with precision and tz) or from and to")
	case !has("admin1") && !(has("lat") && has("lon")):
		return nil, errors.New("mapping: give lat and lon (with radius_km) or admin1")
	}
	return &m, nil
}

// genericReader reads a CSV through a Mapping.
type genericReader struct {
	c     *csvReader
	m     *Mapping
	cols  map[string]int // field → column index
	by    string
	order dayOrder
}

func openGeneric(f *openFile) (Reader, error) {
	m := f.opt.Mapping
	if m == nil {
		return nil, &FileError{File: f.in.name, Msg: "format csv needs --mapping FILE naming its columns"}
	}
	r := &genericReader{c: f.c, m: m, cols: map[string]int{}, by: "import:" + FormatCSV}
	if m.Name != "" {
		r.by += ":" + m.Name
	}
	for field, col := range m.Columns {
		i := f.c.col(strings.ToLower(strings.TrimSpace(col)))
		if i < 0 {
			return nil, &FileError{File: f.in.name, Msg: fmt.Sprintf("csv: mapping names column %q for %s, which the header lacks", col, field)}
		}
		r.cols[field] = i
	}
	switch m.DateOrder {
	case "dmy":
		r.order = orderDayFirst
	case "mdy":
		r.order = orderMonthFirst
	}
	return r, nil
}

func (r *genericReader) Header() []string { return r.c.header }

func (r *genericReader) Notes() []string {
	return []string{"submitted as " + r.by}
}

// value returns a field's value in rec and the column index it came from
// (-1 for a default).
func (r *genericReader) value(rec []string, field string) (string, int) {
	if i, ok := r.cols[field]; ok {
		if v := strings.TrimSpace(rec[i]); v != "" {
			return v, i
		}
		return strings.TrimSpace(r.m.Defaults[field]), i
	}
	return strings.TrimSpace(r.m.Defaults[field]), -1
}

func (r *genericReader) list(rec []string, field string) []string {
	v, _ := r.value(rec, field)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, r.m.ListSeparator) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.ToLower(s))
		}
	}
	return out
}

func (r *genericReader) Next() (Item, error) {
	rec, line, err := r.c.next()
	if err != nil {
		return Item{Line: line}, err
	}
	fail := func(field string, format string, args ...any) (Item, error) {
		_, i := r.value(rec, field)
		e := r.c.errorf(rec, line, i, format, args...)
		if i < 0 {
			e.Column = "(default " + field + ")"
		}
		return Item{}, e
	}
	rep := &truce.Report{SubmittedBy: r.by}
	rep.ExternalID, _ = r.value(rec, "external_id")
	if rep.ExternalID == "" {
		h := sha256.New()
		for _, f := range rec {
			io.WriteString(h, f)
			h.Write([]byte{0})
		}
		rep.ExternalID = "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
	}
	rep.Source.Kind, _ = r.value(rec, "source_kind")
	if rep.Source.Kind == "" {
		rep.Source.Kind = truce.SourceDataset
	}
	rep.Source.Name, _ = r.value(rec, "source_name")
	if rep.Source.Name == "" {
		rep.Source.Name = orUnknown(r.m.Name)
	}
	rep.Source.URL, _ = r.value(rec, "source_url")
	if d, _ := r.value(rec, "date"); d != "" {
		t, err := r.date(d)
		if err != nil {
			return fail("date", "%v", err)
		}
		rep.Occurred.Date = t.Format(time.DateOnly)
		rep.Occurred.Precision, _ = r.value(rec, "precision")
		rep.Occurred.TZ, _ = r.value(rec, "tz")
	} else {
		for _, fld := range []string{"from", "to"} {
			v, _ := r.value(rec, fld)
			t, err := parseInstant(v)
			if err != nil {
				return fail(fld, "%v", err)
			}
			if fld == "from" {
				rep.Occurred.From = &t
			} else {
				rep.Occurred.To = &t
			}
		}
	}
	if a, _ := r.value(rec, "admin1"); a != "" {
		if code, ok := oblastCode(a); ok {
			a = code
		}
		rep.Place.Admin1 = a
	} else {
		nums := [3]float64{}
		for k, fld := range []string{"lat", "lon", "radius_km"} {
			v, _ := r.value(rec, fld)
			var err error
			switch fld {
			case "lat":
				nums[k], err = parseLat(v)
			case "lon":
				nums[k], err = parseLon(v)
			default:
				nums[k], err = parseNumber(v)
			}
			if err != nil {
				return fail(fld, "%v", err)
			}
		}
		rep.Place = truce.Point(nums[0], nums[1], nums[2])
	}
	rep.Domains = r.list(rec, "domains")
	rep.Targets = r.list(rec, "targets")
	if p, _ := r.value(rec, "perpetrators"); p != "" {
		for _, s := range strings.Split(p, r.m.ListSeparator) {
			if s = strings.TrimSpace(s); s != "" {
				rep.Perpetrators = append(rep.Perpetrators, s)
			}
		}
	}
	desc, _ := r.value(rec, "description")
	rep.Description = truncateRunes(desc, truce.MaxDescription)
	rep.Language, _ = r.value(rec, "language")
	rep.EventType, _ = r.value(rec, "event_type")
	rep.SubEventType, _ = r.value(rec, "sub_event_type")
	rep.Country, _ = r.value(rec, "country")
	if err := rep.Validate(); err != nil {
		var te *truce.Error
		if errors.As(err, &te) {
			return fail(reportFieldToMapping(te.Field), "%s", te.Message)
		}
		return Item{}, r.c.errorf(rec, line, -1, "%v", err)
	}
	return Item{Line: line, Report: rep}, nil
}

// date reads an ISO date, or N/N/YYYY in the mapping's order.
func (r *genericReader) date(s string) (time.Time, error) {
	if t, err := parseISODate(s); err == nil {
		return t, nil
	}
	d, ok := parseSlash(s)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD or N/N/YYYY", s)
	}
	o := r.order
	if own := d.own(); own != orderUnknown {
		if o != orderUnknown && own != o {
			return time.Time{}, fmt.Errorf("%q cannot be read %s", s, o)
		}
		o = own
	}
	if o == orderUnknown {
		if d.either() {
			return time.Time{}, fmt.Errorf("%q reads either way: set date_order in the mapping", s)
		}
		o = orderDayFirst
	}
	t, err := d.in(o)
	if err != nil {
		return t, fmt.Errorf("%q: %v", s, err)
	}
	return t, nil
}

// reportFieldToMapping names the mapping field behind a report field.
func reportFieldToMapping(field string) string {
	f, _, _ := strings.Cut(field, "[")
	switch f {
	case "place.lat", "place.lon", "place.radius_km", "place.admin1":
		return strings.TrimPrefix(f, "place.")
	case "occurred.date", "occurred.precision", "occurred.tz", "occurred.from", "occurred.to":
		return strings.TrimPrefix(f, "occurred.")
	case "source.kind":
		return "source_kind"
	case "source.name":
		return "source_name"
	case "occurred":
		return "date"
	}
	return f
}

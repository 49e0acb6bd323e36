package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/truce-monitor/truce"
)

// A GeoJSON FeatureCollection of reports: each feature's properties are a
// report as in contracts/REPORTS.md, without the place's point, which is
// the feature's Point geometry ([lon, lat]); radius_km is a property. A
// feature with a null geometry gives its place as the property admin1.
//
//	{"type": "FeatureCollection", "features": [
//	  {"type": "Feature", "id": "ua-0142",
//	   "geometry": {"type": "Point", "coordinates": [37.18, 48.28]},
//	   "properties": {"radius_km": 5, "source": {"kind": "media", "name": "..."},
//	     "occurred": {"date": "2025-05-09", "precision": "day", "tz": "Europe/Kyiv"},
//	     "domains": ["land"], "description": "..."}}]}
//
// Unknown properties are rejected, as the API rejects unknown fields, so a
// misspelt field is never silently dropped. ExternalID is the property
// external_id, else the feature's id, else "sha256:" and the hash of the
// feature's bytes, so that importing the same file twice adds nothing.
// source defaults to {dataset, <file name>}. The file is decoded one
// feature at a time, in constant memory.
type geojsonReader struct {
	file  string
	dec   *json.Decoder
	lines *lineIndex
	state int // 0 before features, 1 in the features array, 2 done
	n     int
}

func openGeoJSON(f *openFile) (Reader, error) {
	li := &lineIndex{r: f.in.r}
	r := &geojsonReader{file: f.in.name, dec: json.NewDecoder(li), lines: li}
	r.dec.UseNumber()
	if err := r.start(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *geojsonReader) Header() []string { return []string{"feature"} }

// start reads up to the first feature. Members other than "type" and
// "features" (bbox, crs, name) are skipped.
func (r *geojsonReader) start() error {
	fail := func(msg string, args ...any) error {
		return &FileError{File: r.file, Msg: fmt.Sprintf("not a GeoJSON FeatureCollection: "+msg, args...)}
	}
	if t, err := r.dec.Token(); err != nil || t != json.Delim('{') {
		return fail("%v", jsonErr(err, "expected an object"))
	}
	sawType := false
	for r.dec.More() {
		t, err := r.dec.Token()
		if err != nil {
			return fail("%v", jsonErr(err, ""))
		}
		key, _ := t.(string)
		switch key {
		case "type":
			var typ string
			if err := r.dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
				return fail("type is %q", typ)
			}
			sawType = true
		case "features":
			if t, err := r.dec.Token(); err != nil || t != json.Delim('[') {
				return fail("features is not an array")
			}
			r.state = 1
			return nil
		default:
			var skip json.RawMessage
			if err := r.dec.Decode(&skip); err != nil {
				return fail("%v", jsonErr(err, ""))
			}
		}
	}
	if !sawType {
		return fail(`no "type": "FeatureCollection"`)
	}
	return fail(`no "features"`)
}

func (r *geojsonReader) Next() (Item, error) {
	if r.state != 1 {
		return Item{}, io.EOF
	}
	if !r.dec.More() {
		r.state = 2
		return Item{}, io.EOF
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		// JSON that does not parse cannot be resynchronised: the rest of the
		// file is lost, and this one error says where it broke.
		r.state = 2
		// The line where it broke: the syntax error's, or the file's last.
		line := r.lines.lineAt(r.lines.read)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = r.lines.lineAt(se.Offset)
		}
		return Item{}, &RowError{File: r.file, Line: line, Msg: "invalid JSON: " + jsonErr(err, "").Error() + "; the rest of the file is not read"}
	}
	end := r.dec.InputOffset()
	line := r.lines.lineAt(end - int64(len(raw)))
	r.n++
	rep, col, err := r.feature(raw)
	if err != nil {
		return Item{}, &RowError{File: r.file, Line: line, Column: col, Msg: err.Error(), Raw: []string{string(raw)}}
	}
	return Item{Line: line, Report: rep}, nil
}

// geoFeature is one feature as decoded.
type geoFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	BBox       json.RawMessage `json:"bbox"`
}

// reportProps are the properties of a report feature.
type reportProps struct {
	ExternalID   string              `json:"external_id"`
	Source       *truce.ReportSource `json:"source"`
	Occurred     truce.Occurrence    `json:"occurred"`
	RadiusKm     *float64            `json:"radius_km"`
	Admin1       string              `json:"admin1"`
	Domains      []string            `json:"domains"`
	Targets      []string            `json:"targets"`
	Means        []truce.Means       `json:"means"`
	Perpetrators []string            `json:"perpetrators"`
	Description  string              `json:"description"`
	Language     string              `json:"language"`
	Evidence     []truce.Evidence    `json:"evidence"`
	EventType    string              `json:"event_type"`
	SubEventType string              `json:"sub_event_type"`
	Country      string              `json:"country"`
	NotHostile   bool                `json:"not_hostile"`
}

func strictDecode(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the value")
	}
	return nil
}

// feature returns the report of one feature, or the column (a JSON path)
// at fault and why.
func (r *geojsonReader) feature(raw []byte) (*truce.Report, string, error) {
	var f geoFeature
	if err := strictDecode(raw, &f); err != nil {
		return nil, "", fmt.Errorf("not a GeoJSON feature: %v", jsonErr(err, ""))
	}
	if f.Type != "Feature" {
		return nil, "type", fmt.Errorf("%q, want \"Feature\"", f.Type)
	}
	var p reportProps
	if len(f.Properties) == 0 || string(f.Properties) == "null" {
		return nil, "properties", errors.New("required: the report's fields")
	}
	if err := strictDecode(f.Properties, &p); err != nil {
		return nil, "properties", jsonErr(err, "")
	}
	rep := &truce.Report{
		ExternalID: p.ExternalID, Occurred: p.Occurred, Domains: p.Domains, Targets: p.Targets, Means: p.Means,
		Perpetrators: p.Perpetrators, Description: p.Description, Language: p.Language, Evidence: p.Evidence,
		EventType: p.EventType, SubEventType: p.SubEventType, Country: p.Country, NotHostile: p.NotHostile,
		Source:      truce.ReportSource{Kind: truce.SourceDataset, Name: filepath.Base(r.file)},
		SubmittedBy: "import:" + FormatGeoJSON,
	}
	if p.Source != nil {
		rep.Source = *p.Source
	}
	if rep.ExternalID == "" {
		rep.ExternalID = featureID(f.ID, raw)
	}
	geom := strings.TrimSpace(string(f.Geometry))
	switch {
	case geom == "" || geom == "null":
		if p.Admin1 == "" {
			return nil, "geometry", errors.New("null: give a Point geometry, or the property admin1")
		}
		rep.Place.Admin1 = p.Admin1
	default:
		var g struct {
			Type        string          `json:"type"`
			Coordinates []float64       `json:"coordinates"`
			BBox        json.RawMessage `json:"bbox"`
		}
		if err := strictDecode(f.Geometry, &g); err != nil || g.Type != "Point" {
			return nil, "geometry", fmt.Errorf("a report's place is a Point (got %s)", orUnknown(g.Type))
		}
		if len(g.Coordinates) < 2 || len(g.Coordinates) > 3 {
			return nil, "geometry.coordinates", errors.New("want [longitude, latitude]")
		}
		if p.Admin1 != "" {
			return nil, "properties.admin1", errors.New("give either a Point geometry or admin1, not both")
		}
		if p.RadiusKm == nil {
			return nil, "properties.radius_km", errors.New("required with a Point geometry")
		}
		rep.Place = truce.Point(g.Coordinates[1], g.Coordinates[0], *p.RadiusKm)
	}
	if err := rep.Validate(); err != nil {
		var te *truce.Error
		if errors.As(err, &te) {
			return nil, propertyPath(te.Field), errors.New(te.Message)
		}
		return nil, "", err
	}
	return rep, "", nil
}

// propertyPath names a report field where it sits in a feature.
func propertyPath(field string) string {
	switch field {
	case "place.lat":
		return "geometry.coordinates[1]"
	case "place.lon":
		return "geometry.coordinates[0]"
	case "place.radius_km":
		return "properties.radius_km"
	case "place.admin1":
		return "properties.admin1"
	case "":
		return "properties"
	}
	return "properties." + field
}

// featureID is the external id of a feature without external_id: its id
// (a string or a number, as written), else the hash of its bytes.
func featureID(id json.RawMessage, raw []byte) string {
	var s string
	if err := json.Unmarshal(id, &s); err == nil && s != "" {
		return s
	}
	var n json.Number
	if err := json.Unmarshal(id, &n); err == nil {
		return n.String()
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// jsonErr words a decoding error for a message.
func jsonErr(err error, orElse string) error {
	if err == nil {
		return errors.New(orElse)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of file (is it cut short?)")
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		if ute.Field == "" {
			return fmt.Errorf("a JSON %s where an object is wanted", ute.Value)
		}
		return fmt.Errorf("%s: a JSON %s where %s is wanted", ute.Field, ute.Value, ute.Type)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// lineIndex remembers where the lines of a stream begin, so that a byte
// offset of the JSON decoder can be told as a line. Offsets are asked in
// increasing order and what lies behind them is forgotten, so memory stays
// that of the decoder's buffer.
type lineIndex struct {
	r        io.Reader
	read     int64   // bytes read so far
	newlines []int64 // offsets of the newlines not yet passed
	base     int     // newlines already passed
}

func (l *lineIndex) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.newlines = append(l.newlines, l.read+int64(i))
		}
	}
	l.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of the byte at off.
func (l *lineIndex) lineAt(off int64) int {
	k := sort.Search(len(l.newlines), func(i int) bool { return l.newlines[i] >= off })
	l.base += k
	l.newlines = l.newlines[k:]
	return l.base + 1
}

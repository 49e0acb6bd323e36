package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestGeoJSON(t *testing.T) {
	path := filepath.Join("testdata", "reports.geojson")
	sink := newMemSink()
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	// Each feature is named by the line it starts on.
	want := path + ":14: geometry.coordinates[1]: 98.28 is outside -90..90\n" +
		path + `:18: properties: unknown field "occured"` + "\n" +
		path + ":22: geometry: a report's place is a Point (got Polygon)\n"
	if sum.Files[0].Format != FormatGeoJSON || sum.Imported != 2 || sum.Rejected != 3 || errs.String() != want {
		t.Fatalf("%+v\n%s", sum, errs.String())
	}
	r := sink.reports[[2]string{"import:geojson", "gj-1"}]
	if *r.Place.Lat != 48.28 || *r.Place.Lon != 37.18 || *r.Place.RadiusKm != 5 || r.Source.Name != "Example News" ||
		r.Means[0] != (truce.Means{Kind: "artillery", Count: 12}) || r.Occurred.From.Hour() != 10 {
		t.Errorf("gj-1: %+v", r)
	}
	// The second feature has no id: its key is the hash of its bytes, and
	// its source defaults to the file.
	var second truce.Report
	for k, r := range sink.reports {
		if strings.HasPrefix(k[1], "sha256:") {
			second = r
		}
	}
	if second.Place.Admin1 != "UA-63" || second.Source != (truce.ReportSource{Kind: "dataset", Name: "reports.geojson"}) {
		t.Errorf("second feature: %+v", second)
	}
	again, err := Run(t.Context(), sink, Options{}, path)
	if err != nil || again.Imported != 0 || again.Present != 2 {
		t.Errorf("again: %+v %v", again, err)
	}
}

// A GeoJSON file cut short loses the features after the cut, and says
// where.
func TestGeoJSONTruncated(t *testing.T) {
	data, err := os.ReadFile("testdata/reports.geojson")
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(data, []byte(`"Drones over`))
	path := filepath.Join(t.TempDir(), "cut.geojson")
	os.WriteFile(path, data[:cut], 0o644)
	var errs bytes.Buffer
	sum, err := Run(t.Context(), newMemSink(), Options{Errors: &errs}, path)
	if err != nil || sum.Imported != 1 || sum.Rejected != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	// Cut on line 13, inside the feature that starts on line 10.
	if want := path + ":13: invalid JSON: unexpected end of file (is it cut short?); the rest of the file is not read\n"; errs.String() != want {
		t.Errorf("%s\nwant %s", errs.String(), want)
	}
}

func TestGenericCSV(t *testing.T) {
	f, err := os.Open("testdata/mapping-example.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMapping(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "generic-example.csv")
	sink := newMemSink()
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{Mapping: m, Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	want := path + `:5: day: "32/05/2025": no day 32 in May 2025` + "\n" +
		path + `:6: domain: unknown domain "space" (land, air, sea)` + "\n"
	if sum.Files[0].Format != FormatCSV || sum.Imported != 3 || sum.Rejected != 2 || errs.String() != want {
		t.Fatalf("%+v\n%s", sum, errs.String())
	}
	r := sink.reports[[2]string{"import:csv:monitor-log", "FT-001"}]
	if r.Occurred.Date != "2025-05-09" || r.Occurred.TZ != "Europe/Kyiv" || *r.Place.RadiusKm != 5 || strings.Join(r.Domains, ",") != "land,air" ||
		r.Source != (truce.ReportSource{Kind: "monitor", Name: "Field team log", URL: "https://example.org/ft/1"}) || r.Perpetrators[0] != "RU" {
		t.Errorf("FT-001: %+v", r)
	}
	r = sink.reports[[2]string{"import:csv:monitor-log", "FT-002"}]
	if r.Place.Admin1 != "UA-63" || r.Place.Lat != nil || r.Targets[0] != "energy" {
		t.Errorf("FT-002: %+v", r)
	}
}

func TestParseMappingErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"columns": {"descripton": "x"}}`, `mapping: columns: unknown field "descripton" (known: external_id, date, precision, tz, from, to, lat, lon, radius_km, admin1, domains, targets, perpetrators, description, language, source_kind, source_name, source_url, event_type, sub_event_type, country)`},
		{`{"colums": {}}`, `mapping: unknown field "colums"`},
		{`{"columns": {"description": "d"}, "defaults": {"domains": "land", "date": "2025-01-01"}, "date_order": "ymd"}`, `mapping: date_order: "ymd" is neither "dmy" nor "mdy"`},
		{`{"columns": {"description": "d", "date": "d"}, "defaults": {"domains": "land"}}`, `mapping: give lat and lon (with radius_km) or admin1`},
		{`{"columns": {"description": "d", "lat": "y", "lon": "x"}, "defaults": {"domains": "land"}}`, `mapping: give date (with precision and tz) or from and to`},
		{`[]`, `mapping: a JSON array where an object is wanted`},
	}
	for _, tc := range tests {
		_, err := ParseMapping(strings.NewReader(tc.json))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.json, err, tc.want)
		}
	}
}

package terms

import (
	"strings"
	"sync"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
)

// gazetteer loads the embedded gazetteer once per test binary.
var gazetteer = sync.OnceValues(geo.Load)

func gz(t testing.TB) *geo.Gazetteer {
	t.Helper()
	g, err := gazetteer()
	if err != nil {
		t.Fatalf("geo.Load: %v", err)
	}
	return g
}

// example is the terms file of contract §1.
const example = `{
  "parties": [
    {"code": "RU", "name": "Russian Federation",
     "aliases": ["Military Forces of Russia", "Government of Russia"]},
    {"code": "UA", "name": "Ukraine",
     "aliases": ["Military Forces of Ukraine", "Government of Ukraine"]}
  ],
  "agreements": [
    {
      "id": "easter-truce-2025",
      "title": "Easter truce",
      "status": "in_force",
      "declared_by": ["RU"],
      "bound": ["RU", "UA"],
      "window": {"start": "2025-04-19T18:00", "end": "2025-04-21T00:00",
                 "tz": "Europe/Moscow"},
      "domains": ["land", "air", "sea"],
      "targets": ["any"],
      "area": {"countries": ["UA", "RU"], "admin1": [], "geojson": null},
      "sources": [{"url": "https://example.org/statement", "quote": "..."}]
    }
  ]
}`

func TestParseExample(t *testing.T) {
	got, err := Parse(strings.NewReader(example), gz(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Parties) != 2 || got.Parties[0].Code != "RU" || got.Parties[1].Aliases[1] != "Government of Ukraine" {
		t.Errorf("parties %+v", got.Parties)
	}
	a := got.Agreements[0]
	if a.ID != "easter-truce-2025" || a.Status != truce.StatusInForce || *a.Window.End != "2025-04-21T00:00" ||
		a.Window.TZ != "Europe/Moscow" || len(a.Domains) != 3 || a.Targets[0] != "any" || a.Area.Countries[1] != "RU" ||
		a.Sources[0].URL != "https://example.org/statement" {
		t.Errorf("agreement %+v", a)
	}
}

// Valid variations: the extensions of truce.Agreement, an open end,
// seconds, a missing area, an empty one, a GeoJSON polygon, a local time
// that occurs twice.
func TestParseValid(t *testing.T) {
	tests := map[string]string{
		"extensions": `"description": "d", "illustrative": true, "origin": "PA-X", "version": 3, "terms_need_review": false,
			"monitoring": {"lead": ["US"], "supporting": ["FR"], "notes": "n"},
			"consequences": [{"by": ["US"], "description": "sanctions", "quote": "massive sanctions"}]`,
		"open end":        `"window": {"start": "2025-04-19T18:00", "end": null, "tz": "Europe/Moscow"}`,
		"end missing":     `"window": {"start": "2025-04-19T18:00", "tz": "Europe/Moscow"}`,
		"seconds":         `"window": {"start": "2025-04-19T18:00:30", "end": "2025-04-19T18:00:31", "tz": "UTC"}`,
		"repeated hour":   `"window": {"start": "2025-10-26T03:30", "end": "2025-10-27T00:00", "tz": "Europe/Kyiv"}`,
		"no area":         `"area": null`,
		"empty area":      `"area": {"countries": [], "admin1": [], "geojson": null}`,
		"admin1":          `"area": {"admin1": ["UA-43", "UA-40", "UA-14"]}`,
		"geojson polygon": `"area": {"geojson": {"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,51],[30,50]]]}}`,
		"geojson feature": `"area": {"geojson": {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,51],[30,50]]]}}}`,
		"energy civilian": `"targets": ["energy", "civilian"]`,
		"proposed":        `"status": "proposed"`,
		"unilateral":      `"bound": ["RU"], "declared_by": ["RU"]`,
		"nobody bound":    `"bound": []`,
	}
	for name, fields := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(withFields(fields)), gz(t)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

// withFields returns the example with some of its agreement's fields
// replaced or added.
func withFields(fields string) string {
	base := map[string]string{
		"id": `"easter-truce-2025"`, "status": `"in_force"`, "declared_by": `["RU"]`, "bound": `["RU", "UA"]`,
		"window":  `{"start": "2025-04-19T18:00", "end": "2025-04-21T00:00", "tz": "Europe/Moscow"}`,
		"domains": `["land", "air", "sea"]`, "targets": `["any"]`,
		"area": `{"countries": ["MD"], "admin1": ["UA-43"], "geojson": null}`,
	}
	order := []string{"id", "status", "declared_by", "bound", "window", "domains", "targets", "area"}
	for _, f := range order {
		if strings.Contains(fields, `"`+f+`":`) {
			delete(base, f)
		}
	}
	var parts []string
	for _, f := range order {
		if v, ok := base[f]; ok {
			parts = append(parts, `"`+f+`": `+v)
		}
	}
	if strings.TrimSpace(fields) != "" {
		parts = append(parts, fields)
	}
	return `{"parties": [{"code": "RU", "name": "Russian Federation"}, {"code": "UA", "name": "Ukraine"}],
"agreements": [{` + strings.Join(parts, ", ") + `}]}`
}

// without returns the example's agreement without a field.
func without(field string) string {
	s := withFields(`"` + field + `": 0`)
	return strings.Replace(s, `, "`+field+`": 0`, "", 1)
}

// Every bad-terms case of contract §1: an EINVALID error whose message
// names the agreement (or party) and the field.
func TestParseErrors(t *testing.T) {
	id := "easter-truce-2025: "
	tests := []struct {
		name, text, want string
	}{
		// JSON itself
		{"syntax", "{\n  \"parties\": [\n    {\"code\": \"RU\" \"name\": \"R\"}\n  ]\n}", `parties[0] RU: line 3, column 19: invalid character '"' after object key:value pair`},
		{"syntax in agreement", "{\"agreements\": [\n{\"id\": \"a\",\n \"status\": }]}", `a: status: line 3, column 12: invalid character '}' looking for beginning of value`},
		{"empty", "", `terms: line 1, column 1: unexpected end of JSON input`},
		{"truncated", `{"parties": [`, `terms: parties: line 1, column 14: unexpected end of JSON input`},
		{"trailing data", example + "\n{}", `terms: line 24, column 1: unexpected data after the terms object`},
		{"trailing garbage", example + " x", `terms: line 23, column 3: unexpected data after the terms object`},
		{"not an object", `[]`, `terms: must be an object, not an array`},
		{"unknown top-level key", `{"parties": [], "agreement": []}`, `terms: agreement: unknown field`},
		{"top-level key case", `{"Parties": []}`, `terms: Parties: unknown field (did you mean "parties"?)`},
		{"unknown agreement key", withFields(`"windw": {}`), id + `windw: unknown field`},
		{"agreement key case", withFields(`"Title": "x"`), id + `Title: unknown field (did you mean "title"?)`},
		{"unknown window key", withFields(`"window": {"start": "2025-04-19T18:00", "timezone": "UTC", "tz": "UTC"}`), id + `window.timezone: unknown field`},
		{"unknown area key", withFields(`"area": {"countries": ["UA"], "oblasts": []}`), id + `area.oblasts: unknown field`},
		{"unknown source key", withFields(`"sources": [{"url": "u"}, {"link": "u"}]`), id + `sources[1].link: unknown field`},
		{"unknown consequence key", withFields(`"consequences": [{"description": "d", "who": []}]`), id + `consequences[0].who: unknown field`},
		{"unknown party key", `{"parties": [{"code": "RU", "name": "R", "alias": []}]}`, `parties[0] RU: alias: unknown field`},
		{"duplicate key", withFields(`"domains": ["land"], "domains": ["air"]`), id + `domains: given twice`},
		{"wrong type", withFields(`"bound": "RU"`), id + `bound: must be an array, not the string "RU"`},
		{"wrong element type", withFields(`"domains": ["land", 2]`), id + `domains[1]: must be a string, not the number 2`},
		{"wrong nested type", withFields(`"window": {"start": 1, "tz": "UTC"}`), id + `window.start: must be a string, not the number 1`},
		{"wrong type id", `{"agreements": [{"id": 7}]}`, `agreements[0]: id: must be a string, not the number 7`},
		{"bool", withFields(`"illustrative": "yes"`), id + `illustrative: must be true or false, not the string "yes"`},
		// parties
		{"party code missing", `{"parties": [{"name": "Russia"}]}`, `parties[0]: code: required`},
		{"party name missing", `{"parties": [{"code": "RU"}]}`, `parties[0] RU: name: required`},
		{"party bad code", `{"parties": [{"code": "R U", "name": "x"}]}`, `parties[0] "R U": code: "R U" is not a party code (letters, digits, _ . -, up to 32)`},
		{"duplicate party code", `{"parties": [{"code": "RU", "name": "a"}, {"code": "UA", "name": "b"}, {"code": "RU", "name": "c"}]}`, `parties[2] RU: code: duplicate party code "RU" (also parties[0])`},
		{"duplicate party code case", `{"parties": [{"code": "RU", "name": "a"}, {"code": "ru", "name": "c"}]}`, `parties[1] ru: code: duplicate party code "ru" (also parties[0])`},
		{"blank alias", `{"parties": [{"code": "RU", "name": "a", "aliases": [" "]}]}`, `parties[0] RU: aliases[0]: empty alias`},
		// agreements
		{"id missing", without("id"), `agreements[0]: id: required`},
		{"odd id is quoted", `{"agreements": [{"id": "a: b"}]}`, `"a: b": status: required`},
		{"odd id in a syntax error", `{"agreements": [{"id": ": 0", "status": ]}`, `": 0": status: line 1, column 41: invalid character ']' looking for beginning of value`},
		{"duplicate id", strings.Replace(withFields(""), `}]}`, `}, {"id": "easter-truce-2025"}]}`, 1), id + `id: duplicate agreement id (also agreements[0])`},
		{"status missing", without("status"), id + `status: required`},
		{"unknown status", withFields(`"status": "active"`), id + `status: unknown status "active"`},
		{"bound missing", without("bound"), id + `bound: required`},
		{"bound not a party", withFields(`"bound": ["RU", "BY"]`), id + `bound[1]: party "BY" is not in parties`},
		{"declared_by not a party", withFields(`"declared_by": ["US"]`), id + `declared_by[0]: party "US" is not in parties`},
		{"window missing", without("window"), id + `window.start: required`},
		{"start missing", withFields(`"window": {"tz": "UTC"}`), id + `window.start: required`},
		{"tz missing", withFields(`"window": {"start": "2025-04-19T18:00"}`), id + `window.tz: required`},
		{"unknown zone", withFields(`"window": {"start": "2025-04-19T18:00", "tz": "Europe/Kiev2"}`), id + `window.tz: unknown time zone "Europe/Kiev2"`},
		{"Local zone", withFields(`"window": {"start": "2025-04-19T18:00", "tz": "Local"}`), id + `window.tz: unknown time zone "Local"`},
		{"malformed start", withFields(`"window": {"start": "2025-04-19 18:00", "tz": "UTC"}`), id + `window.start: "2025-04-19 18:00" is not a local time YYYY-MM-DDTHH:MM[:SS]`},
		{"offset in start", withFields(`"window": {"start": "2025-04-19T18:00+03:00", "tz": "UTC"}`), id + `window.start: "2025-04-19T18:00+03:00" is not a local time YYYY-MM-DDTHH:MM[:SS]`},
		{"no such day", withFields(`"window": {"start": "2025-02-29T18:00", "tz": "UTC"}`), id + `window.start: "2025-02-29T18:00" is not a local time YYYY-MM-DDTHH:MM[:SS]`},
		{"skipped time", withFields(`"window": {"start": "2025-03-30T03:30", "tz": "Europe/Kyiv"}`), id + `window.start: 2025-03-30T03:30:00 does not exist in Europe/Kyiv (skipped by a clock change)`},
		{"skipped end", withFields(`"window": {"start": "2025-03-29T00:00", "end": "2025-03-30T03:00", "tz": "Europe/Kyiv"}`), id + `window.end: 2025-03-30T03:00:00 does not exist in Europe/Kyiv (skipped by a clock change)`},
		{"end before start", withFields(`"window": {"start": "2025-04-19T18:00", "end": "2025-04-19T17:59", "tz": "UTC"}`), id + `window.end: 2025-04-19T17:59 is not after start 2025-04-19T18:00`},
		{"end equals start", withFields(`"window": {"start": "2025-04-19T18:00", "end": "2025-04-19T18:00:00", "tz": "UTC"}`), id + `window.end: 2025-04-19T18:00:00 is not after start 2025-04-19T18:00`},
		{"domains missing", without("domains"), id + `domains: required: a non-empty subset of land, air, sea`},
		{"domains empty", withFields(`"domains": []`), id + `domains: required: a non-empty subset of land, air, sea`},
		{"unknown domain", withFields(`"domains": ["land", "space"]`), id + `domains[1]: unknown domain "space" (land, air, sea)`},
		{"targets missing", without("targets"), id + `targets: required: ["any"] or a subset of energy, civilian`},
		{"any with others", withFields(`"targets": ["any", "energy"]`), id + `targets: "any" cannot be combined with other targets`},
		{"others with any", withFields(`"targets": ["civilian", "any"]`), id + `targets: "any" cannot be combined with other targets`},
		{"unknown target", withFields(`"targets": ["military"]`), id + `targets[0]: unknown target "military" (any, energy, civilian)`},
		// areas, checked by the gazetteer
		{"unknown country", withFields(`"area": {"countries": ["UA", "XX"]}`), id + `area.countries: unknown country code "XX"`},
		{"unknown admin1", withFields(`"area": {"admin1": ["UA-99"]}`), id + `area.admin1: unknown admin1 code "UA-99"`},
		{"admin1 of another country", withFields(`"area": {"admin1": ["RU-MOW"]}`), id + `area.admin1: unknown admin1 code "RU-MOW"`},
		{"geojson point", withFields(`"area": {"geojson": {"type": "Point", "coordinates": [30, 50]}}`), id + `area.geojson: type: "Point" is not a Polygon, MultiPolygon, Feature or FeatureCollection`},
		{"geojson open ring", withFields(`"area": {"geojson": {"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51]]]}}`), id + `area.geojson: coordinates[0]: ring has 3 positions; a closed ring needs at least 4`},
		{"geojson string", withFields(`"area": {"geojson": "x"}`), id + `area.geojson: not a GeoJSON object`},
		{"geojson line in collection", withFields(`"area": {"geojson": {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[30,50],[31,50]]}}]}}`), id + `area.geojson: features[0].geometry.type: "LineString" is not a Polygon or MultiPolygon`},
		{"area wrong type", withFields(`"area": ["UA"]`), id + `area: must be an object, not an array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.text), gz(t))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n  %s\nwant\n  %s", err, tt.want)
			}
			if e, ok := err.(*truce.Error); !ok || e.Code != truce.EINVALID {
				t.Errorf("error %T %v is not an EINVALID *truce.Error", err, err)
			}
		})
	}
}

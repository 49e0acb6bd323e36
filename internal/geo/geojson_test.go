package geo

import (
	"errors"
	"strings"
	"testing"
)

const (
	squareA = `[[[30,45],[31,45],[31,46],[30,46],[30,45]]]`
	squareB = `[[[40,45],[41,45],[41,46],[40,46],[40,45]]]`
	// A 4°×4° square with a 2°×2° hole in the middle.
	holed = `[[[10,10],[14,10],[14,14],[10,14],[10,10]],[[11,11],[11,13],[13,13],[13,11],[11,11]]]`
)

func TestGeoJSONValid(t *testing.T) {
	g := loadTB(t)
	in, out := [2]float64{45.5, 30.5}, [2]float64{45.5, 35}
	inB := [2]float64{45.5, 40.5}
	tests := []struct {
		name    string
		geojson string
		in, out [][2]float64
	}{
		{"Polygon", `{"type":"Polygon","coordinates":` + squareA + `}`, [][2]float64{in}, [][2]float64{out, inB}},
		{"Polygon with altitude and bbox", `{"type":"Polygon","bbox":[30,45,31,46],"coordinates":[[[30,45,1],[31,45,2],[31,46,3],[30,46,4],[30,45,1]]]}`, [][2]float64{in}, [][2]float64{out}},
		{"MultiPolygon", `{"type":"MultiPolygon","coordinates":[` + squareA + `,` + squareB + `]}`, [][2]float64{in, inB}, [][2]float64{out}},
		{"Feature", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":` + squareA + `}}`, [][2]float64{in}, [][2]float64{out}},
		{"FeatureCollection", `{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":` + squareA + `}},
			{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[` + squareB + `]}}]}`,
			[][2]float64{in, inB}, [][2]float64{out}},
		{"hole", `{"type":"Polygon","coordinates":` + holed + `}`,
			[][2]float64{{10.5, 10.5}, {13.5, 12}}, [][2]float64{{12, 12}, {9, 12}}},
		{"overlapping polygons", `{"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}`,
			[][2]float64{{1.5, 1.5}, {0.5, 0.5}, {2.5, 2.5}}, [][2]float64{{0.5, 2.5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustArea(t, g, nil, nil, tt.geojson)
			for _, p := range tt.in {
				if got := a.Disk(p[0], p[1], 0); got != Inside {
					t.Errorf("%v: %v, want inside", p, got)
				}
			}
			for _, p := range tt.out {
				if got := a.Disk(p[0], p[1], 0); got != Outside {
					t.Errorf("%v: %v, want outside", p, got)
				}
			}
		})
	}

	// In the hole, 1° (111 km) from its edge at the equator-ish latitude
	// 12°: a disk of 50 km is outside, one of 150 km crosses.
	a := mustArea(t, g, nil, nil, `{"type":"Polygon","coordinates":`+holed+`}`)
	if got := a.Disk(12, 12, 50); got != Outside {
		t.Errorf("disk in hole r=50: %v, want outside", got)
	}
	if got := a.Disk(12, 12, 150); got != Crossing {
		t.Errorf("disk in hole r=150: %v, want crossing", got)
	}
	// Overlapping polygons: the union has no boundary where they overlap.
	ov := mustArea(t, g, nil, nil, tests[6].geojson)
	if got := ov.Disk(1.5, 1.5, 30); got != Inside {
		t.Errorf("disk in the overlap: %v, want inside", got)
	}
}

func TestGeoJSONInvalid(t *testing.T) {
	g := loadTB(t)
	tests := []struct {
		name, geojson, msg string
	}{
		{"not JSON", `{"type":"Polygon",`, "invalid JSON"},
		{"not an object", `[1,2]`, "not a GeoJSON object"},
		{"no type", `{"coordinates":` + squareA + `}`, `missing "type"`},
		{"Point", `{"type":"Point","coordinates":[30,50]}`, `type: "Point" is not a Polygon, MultiPolygon, Feature or FeatureCollection`},
		{"GeometryCollection", `{"type":"GeometryCollection","geometries":[]}`, `"GeometryCollection" is not`},
		{"lower-case type", `{"type":"polygon","coordinates":` + squareA + `}`, `"polygon" is not`},
		{"no coordinates", `{"type":"Polygon"}`, "coordinates: missing"},
		{"Polygon nested like MultiPolygon", `{"type":"Polygon","coordinates":[` + squareA + `]}`, "coordinates: not arrays"},
		{"strings", `{"type":"Polygon","coordinates":[[["30","45"]]]}`, "coordinates: not arrays"},
		{"no rings", `{"type":"Polygon","coordinates":[]}`, "polygon has no rings"},
		{"too few points", `{"type":"Polygon","coordinates":[[[30,45],[31,45],[30,45]]]}`, "coordinates[0]: ring has 3 positions"},
		{"unclosed", `{"type":"Polygon","coordinates":[[[30,45],[31,45],[31,46],[30,46],[30,45.5]]]}`, "coordinates[0]: ring is not closed"},
		{"one number", `{"type":"Polygon","coordinates":[[[30,45],[31],[31,46],[30,46],[30,45]]]}`, "coordinates[0][1]: position needs longitude and latitude"},
		{"longitude", `{"type":"Polygon","coordinates":[[[30,45],[181,45],[31,46],[30,46],[30,45]]]}`, "coordinates[0][1]: longitude 181 out of range"},
		{"latitude", `{"type":"Polygon","coordinates":[[[30,45],[31,-91],[31,46],[30,46],[30,45]]]}`, "coordinates[0][1]: latitude -91 out of range"},
		{"no area", `{"type":"Polygon","coordinates":[[[30,45],[31,45],[32,45],[31,45],[30,45]]]}`, "ring encloses no area"},
		{"hole without area", `{"type":"Polygon","coordinates":[[[30,45],[31,45],[31,46],[30,46],[30,45]],[[30.5,45.5],[30.5,45.5],[30.5,45.5],[30.5,45.5]]]}`, "coordinates[1]: ring encloses no area"},
		{"empty MultiPolygon", `{"type":"MultiPolygon","coordinates":[]}`, "MultiPolygon has no polygons"},
		{"bad polygon in MultiPolygon", `{"type":"MultiPolygon","coordinates":[` + squareA + `,[[[0,0],[1,1],[0,0]]]]}`, "coordinates[1][0]: ring has 3 positions"},
		{"Feature without geometry", `{"type":"Feature","properties":{}}`, "geometry: a Feature needs"},
		{"Feature with null geometry", `{"type":"Feature","geometry":null}`, "geometry: a Feature needs"},
		{"Feature with Point", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`, `geometry.type: "Point" is not a Polygon or MultiPolygon`},
		{"Feature in Feature", `{"type":"Feature","geometry":{"type":"Feature","geometry":null}}`, `geometry.type: "Feature" is not a Polygon or MultiPolygon`},
		{"empty FeatureCollection", `{"type":"FeatureCollection","features":[]}`, "FeatureCollection has no features"},
		{"FeatureCollection without features", `{"type":"FeatureCollection"}`, "features: missing"},
		{"geometry in FeatureCollection", `{"type":"FeatureCollection","features":[{"type":"Polygon","coordinates":` + squareA + `}]}`, `features[0].type: "Polygon" is not a Feature`},
		{"bad feature", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}}]}`, "features[0].geometry.coordinates[0]: ring is not closed"},
		{"type not a string", `{"type":1}`, `"type" is not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.NewArea(nil, nil, []byte(tt.geojson))
			var ge *GeoJSONError
			if !errors.As(err, &ge) {
				t.Fatalf("error = %v, want a *GeoJSONError", err)
			}
			if !strings.HasPrefix(err.Error(), "area.geojson: ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

// FuzzNewAreaGeoJSON feeds arbitrary bytes to NewArea: it must return an
// area or a *GeoJSONError, never panic, and the area must answer Disk.
func FuzzNewAreaGeoJSON(f *testing.F) {
	g, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `{"type":"Polygon","coordinates":` + squareA + `}`,
		`{"type":"Polygon","coordinates":` + holed + `}`,
		`{"type":"MultiPolygon","coordinates":[` + squareA + `,` + squareB + `]}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + squareA + `}}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + squareA + `}}]}`,
		`{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}`,
		`{"type":"Polygon","coordinates":[[[170,10],[-170,10],[-170,20],[170,20],[170,10]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[1e-300,0],[1,0],[1,1e-300],[0,0],[1e-300,0]]]}`,
		`{"type":"Point","coordinates":[0,0]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := g.NewArea(nil, nil, b)
		if err != nil {
			var ge *GeoJSONError
			if !errors.As(err, &ge) {
				t.Fatalf("error %v is not a *GeoJSONError", err)
			}
			return
		}
		for _, p := range [][3]float64{{0, 0, 0}, {0.5, 0.5, 10}, {45.5, 30.5, 50}, {89.9, 0, 500}, {-89.9, 179.9, 2}} {
			a.Disk(p[0], p[1], p[2])
		}
	})
}

// TestLongEdges checks edges far longer than any in the data: straight in
// lon/lat, they are followed exactly by membership and within metres by
// distances.
func TestLongEdges(t *testing.T) {
	g := loadTB(t)
	// A band from the equator to 60°N right round the globe.
	a := mustArea(t, g, nil, nil, `{"type":"Polygon","coordinates":[[[-180,0],[180,0],[180,60],[-180,60],[-180,0]]]}`)
	tests := []struct {
		lat, lon, r float64
		want        Relation
	}{
		// 1° south of the 60th parallel (111.19 km) at any longitude.
		{59, 0, 111, Inside},
		{59, 90, 111.4, Crossing},
		{59, -135, 111, Inside},
		// 1° north of the equator.
		{1, 45, 111, Inside},
		{1, 45, 111.4, Crossing},
		{-1, -170, 111, Outside},
		{61, 10, 111, Outside},
		{61, 10, 111.4, Crossing},
	}
	for _, tt := range tests {
		if got := a.Disk(tt.lat, tt.lon, tt.r); got != tt.want {
			t.Errorf("Disk(%v, %v, %v) = %v, want %v", tt.lat, tt.lon, tt.r, got, tt.want)
		}
	}
}

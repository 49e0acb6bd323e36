package terms

import (
	"strings"
	"testing"
)

// TestValidateAreasShares: agreements whose areas are written alike get
// one *geo.Area; any difference (a code, its order, the GeoJSON) gets its
// own, and an agreement without an area gets nil.
func TestValidateAreasShares(t *testing.T) {
	poly := `{"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,50]]]}`
	areas := []string{
		`{"countries": ["UA", "RU"]}`,
		`{"countries": ["UA", "RU"], "admin1": [], "geojson": null}`,
		`{"countries": ["RU", "UA"]}`,
		`{"admin1": ["UA-14"], "geojson": ` + poly + `}`,
		`{"admin1": ["UA-14"], "geojson": ` + poly + `}`,
		`{"admin1": ["UA-14"]}`,
		``,
	}
	var ags []string
	for i, a := range areas {
		area := ""
		if a != "" {
			area = `, "area": ` + a
		}
		ags = append(ags, `{"id": "a`+string(rune('0'+i))+`", "status": "in_force", "bound": ["RU"],
			"window": {"start": "2025-04-01T00:00", "tz": "UTC"}, "domains": ["land"], "targets": ["any"]`+area+`}`)
	}
	doc := `{"parties": [{"code": "RU", "name": "Russia"}, {"code": "UA", "name": "Ukraine"}], "agreements": [` +
		strings.Join(ags, ",") + `]}`
	tm, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ValidateAreas(tm, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	same := func(i, j int, want bool) {
		t.Helper()
		if (got[i] == got[j]) != want {
			t.Errorf("areas %d and %d shared: %v, want %v", i, j, got[i] == got[j], want)
		}
	}
	same(0, 1, true)  // empty admin1 and null geojson are no area parts
	same(0, 2, false) // another order: another area, though the same place
	same(3, 4, true)
	same(3, 5, false)
	if got[6] != nil {
		t.Errorf("agreement without area: %v, want nil", got[6])
	}
	for i := range 6 {
		if got[i] == nil {
			t.Errorf("area %d is nil", i)
		}
	}
}

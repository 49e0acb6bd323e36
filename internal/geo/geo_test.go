package geo

import (
	"math"
	"testing"
)

// loadTB returns the shared gazetteer, failing the test if it does not load.
func loadTB(tb testing.TB) *Gazetteer {
	tb.Helper()
	g, err := Default()
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64
	}{
		// πR/180 per degree along the equator or a meridian.
		{"1° of equator", 0, 0, 0, 1, EarthRadiusKm * math.Pi / 180, 1e-9},
		{"1° of meridian", 10, 20, 11, 20, EarthRadiusKm * math.Pi / 180, 1e-9},
		{"pole to pole", 90, 0, -90, 0, EarthRadiusKm * math.Pi, 1e-9},
		{"antipodes", 0, 0, 0, 180, EarthRadiusKm * math.Pi, 1e-9},
		{"same point", 50.45, 30.52, 50.45, 30.52, 0, 0},
		// Published great-circle distances.
		{"Kyiv–Moscow", 50.4501, 30.5234, 55.7558, 37.6173, 755, 0.005},
		{"London–Paris", 51.5074, -0.1278, 48.8566, 2.3522, 343.5, 0.005},
	}
	for _, tt := range tests {
		got := DistanceKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
		if math.Abs(got-tt.want) > tt.tol*max(tt.want, 1) {
			t.Errorf("%s: DistanceKm = %.4f, want %.4f", tt.name, got, tt.want)
		}
	}
}

func TestEdgeDistance(t *testing.T) {
	// Very short edges keep full precision: 1 mm away from a 1 cm edge.
	e := newEdge(seg{30, 50, 30 + 1e-7, 50, segDist})
	p := unitVec(50+0.001/EarthRadiusKm/1000/rad, 30+0.5e-7)
	if d := e.distKm(p) * 1e6; math.Abs(d-1) > 0.01 {
		t.Errorf("distance = %.4f mm, want 1", d)
	}
	// Points beyond an end are measured to the end.
	e = newEdge(seg{0, 0, 1, 0, segDist})
	if d, want := e.distKm(unitVec(0, 2)), EarthRadiusKm*rad; math.Abs(d-want) > 1e-9 {
		t.Errorf("distance past the end = %v, want %v", d, want)
	}
}

func TestRelationString(t *testing.T) {
	for r, want := range map[Relation]string{Outside: "outside", Inside: "inside", Crossing: "crossing", 7: "Relation(7)"} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(r), got, want)
		}
	}
}

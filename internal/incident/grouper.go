package incident

import (
	"fmt"
	"math"
	"strings"

	"github.com/truce-monitor/truce/internal/geo"
)

// Grouper groups reports into incidents by its Rules, placing reports given
// by admin-1 unit with the gazetteer. It is immutable after NewGrouper and
// safe for concurrent use.
type Grouper struct {
	rules Rules
	gz    *geo.Gazetteer
	units map[string]unit
}

// unit is an admin-1 unit: the disk that covers it, for the spatial index
// and distances, and its area, for the exact test against a point.
type unit struct {
	lat, lon, radiusKm float64
	area               *geo.Area
}

// NewGrouper returns a Grouper. gz may be nil in tests that place every
// report by point: a report given by admin-1 unit is then compatible only
// with reports of the same unit.
func NewGrouper(gz *geo.Gazetteer, r Rules) (*Grouper, error) {
	if r.PlaceToleranceKm < 0 || r.TimeTolerance < 0 || r.PreciseRadiusKm < 0 || r.PreciseSpan < 0 || r.SensorWindow < 0 {
		return nil, fmt.Errorf("incident rules: negative tolerance in %+v", r)
	}
	g := &Grouper{rules: r, gz: gz, units: map[string]unit{}}
	if gz == nil {
		return g, nil
	}
	for _, code := range gz.Admin1Units() {
		mp, ok := gz.Admin1Geometry(code)
		if !ok || len(mp) == 0 {
			continue
		}
		area, err := gz.NewArea(nil, []string{code}, nil)
		if err != nil {
			return nil, fmt.Errorf("incident: admin-1 unit %s: %w", code, err)
		}
		// The covering disk is the adjudication engine's: the centre of
		// the bounding box and the farthest vertex, with a margin for
		// edges that bow out between vertices.
		b := mp.Bound()
		lat, lon := (b.Min[1]+b.Max[1])/2, (b.Min[0]+b.Max[0])/2
		r := 0.0
		for _, poly := range mp {
			for _, ring := range poly {
				for _, pt := range ring {
					r = math.Max(r, geo.DistanceKm(lat, lon, pt[1], pt[0]))
				}
			}
		}
		g.units[strings.ToUpper(code)] = unit{lat: lat, lon: lon, radiusKm: r*1.01 + 1, area: area}
	}
	return g, nil
}

// Rules returns the grouper's rules.
func (g *Grouper) Rules() Rules { return g.rules }

// Gazetteer returns the grouper's gazetteer, nil if it has none.
func (g *Grouper) Gazetteer() *geo.Gazetteer { return g.gz }

// outside is geo.Outside, named here for the compatibility test.
const outside = geo.Outside

package geo

import (
	"fmt"
	"math"
	"strings"
)

// An Area is a union of countries, admin-1 units and GeoJSON polygons, as an
// agreement's "area" describes it. An Area with none of them is everywhere.
// It is immutable and safe for concurrent use.
type Area struct {
	reg *region // nil: everywhere
}

// CodeError reports an unknown country or admin-1 code.
type CodeError struct {
	Field string // "area.countries" or "area.admin1"
	Code  string
}

func (e *CodeError) Error() string {
	kind := "country"
	if e.Field == "area.admin1" {
		kind = "admin1"
	}
	return fmt.Sprintf("%s: unknown %s code %q", e.Field, kind, e.Code)
}

// NewArea builds the union of the countries (ISO 3166-1 alpha-2), admin-1
// units (ISO 3166-2) and geojson (a Polygon or MultiPolygon geometry, or a
// Feature or FeatureCollection of them, in WGS84 longitude/latitude with
// edges straight in longitude/latitude; nil, empty or null for none). Codes
// are matched in any case. An unknown code returns a *CodeError, invalid
// GeoJSON a *GeoJSONError.
//
// Pieces of one source merge exactly: units (and several Natural Earth
// countries) share their borders vertex for vertex, so a disk across the
// border of two listed units is inside. Between different sources (UA and
// BY, a polygon and a country) the union's boundary is computed by cutting
// each border where the others cross it; a sliver where two sources'
// borders leave a gap stays outside the area.
//
// Polygon edges along the antimeridian count as boundary: a GeoJSON polygon
// should not cross it (RFC 7946 asks for it to be split).
func (g *Gazetteer) NewArea(countries, admin1 []string, geojson []byte) (*Area, error) {
	var cs, us []*place
	seen := map[*place]bool{}
	for _, c := range countries {
		p := g.countries[strings.ToUpper(c)]
		if p == nil {
			return nil, &CodeError{Field: "area.countries", Code: c}
		}
		if !seen[p] {
			seen[p] = true
			cs = append(cs, p)
		}
	}
	for _, c := range admin1 {
		p := g.units[strings.ToUpper(c)]
		if p == nil {
			return nil, &CodeError{Field: "area.admin1", Code: c}
		}
		if !seen[p] {
			seen[p] = true
			us = append(us, p)
		}
	}
	polys, err := parseAreaGeoJSON(geojson)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 && len(us) == 0 && len(polys) == 0 {
		return &Area{}, nil
	}

	var parts []*region
	var others []*place
	for _, c := range cs {
		if c == g.ua || c == g.ru {
			parts = append(parts, c.region())
		} else {
			others = append(others, c)
		}
	}
	if r := merge(others); r != nil {
		parts = append(parts, r)
	}
	if !seen[g.ua] { // else the units are part of UA already
		if r := merge(us); r != nil {
			parts = append(parts, r)
		}
	}
	for _, p := range polys {
		parts = append(parts, newParityRegion(segsOf([]polygon{p})))
	}
	if len(parts) == 1 {
		return &Area{reg: parts[0]}, nil
	}
	in := func(x, y float64) bool {
		for _, p := range parts {
			if p.contains(x, y) {
				return true
			}
		}
		return false
	}
	return &Area{reg: newPredRegion(boundaryOf(parts, in), in)}, nil
}

// merge returns the union of places from one source, which do not overlap
// and share borders vertex for vertex, or nil for none.
func merge(ps []*place) *region {
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return ps[0].region()
	}
	var polys []polygon
	for _, p := range ps {
		polys = append(polys, p.polys...)
	}
	return newParityRegion(cancelShared(segsOf(polys)))
}

// Empty reports whether the area lists nothing, which means everywhere.
func (a *Area) Empty() bool { return a == nil || a.reg == nil }

// Disk relates the disk of radius radiusKm (great-circle) around the point
// to the area: Inside when every point of the disk is in the area (its
// centre is inside and no boundary point is closer than the radius),
// Outside when no point is (its centre is outside and every boundary point
// is farther than the radius), else Crossing. A radius of 0 tests the point.
// An empty area contains everything. A latitude outside [-90, 90] or a NaN
// gives Crossing: nothing can be said.
func (a *Area) Disk(lat, lon, radiusKm float64) Relation {
	if a.Empty() {
		return Inside
	}
	x, y, ok := point(lat, lon)
	if !ok || math.IsNaN(radiusKm) {
		return Crossing
	}
	return a.reg.disk(y, x, radiusKm)
}

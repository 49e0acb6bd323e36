// Package geo is Truce's geography: an embedded gazetteer of country and
// Ukrainian admin-1 boundaries, areas built from them, and the test that
// places an event's uncertainty disk inside, outside or across an area.
//
// Boundaries follow the adjudication contract: UA and its admin-1 units are
// geoBoundaries UKR ADM1 (full resolution), every other country is Natural
// Earth 1:50m as published by world-atlas, and RU is Natural Earth's Russia
// minus UA. Polygon edges are straight lines in longitude/latitude; distances
// are great-circle kilometres on a sphere of radius EarthRadiusKm, measured
// to arcs that stay within a metre of those straight edges.
//
// Decisions where the contract is silent:
//   - Natural Earth features without a numeric id: Kosovo is XK, Somaliland
//     counts as SO and N. Cyprus as CY, "Indian Ocean Ter." splits into CX
//     and CC, Siachen Glacier is in no country (data/ATTRIBUTION.md).
//   - Where geoBoundaries' UA and a neighbour's Natural Earth polygon overlap,
//     both areas contain the overlap; CountryAt answers UA.
//   - Natural Earth's land borders are coarser than geoBoundaries': between
//     UA's border and Russia's (or Belarus's) there are slivers, up to a few
//     kilometres wide, that belong to neither. An area of UA and RU therefore
//     still has a boundary there, and a disk across such a sliver crosses.
//   - Natural Earth polygons cut by the antimeridian are whole again: the cut
//     is not a boundary. A GeoJSON polygon is taken literally, so its edges
//     along ±180° are boundary.
//   - Codes are matched in any case; repeated codes are ignored.
package geo

import (
	"math"
	"strconv"
)

// EarthRadiusKm is the mean Earth radius used for every distance.
const EarthRadiusKm = 6371.0088

const rad = math.Pi / 180

// Relation is how a disk (a point and a radius) lies relative to an area.
type Relation int

// Relations of a disk to an area.
const (
	Outside  Relation = iota // the disk misses the area
	Inside                   // the whole disk lies in the area
	Crossing                 // the disk has points both in and out of the area
)

// String returns "outside", "inside" or "crossing".
func (r Relation) String() string {
	switch r {
	case Outside:
		return "outside"
	case Inside:
		return "inside"
	case Crossing:
		return "crossing"
	}
	return "Relation(" + strconv.Itoa(int(r)) + ")"
}

// DistanceKm returns the great-circle distance in kilometres between two
// points given in degrees (haversine formula).
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	return EarthRadiusKm * angle(lat1, lon1, lat2, lon2)
}

// angle is the central angle in radians between two points.
func angle(lat1, lon1, lat2, lon2 float64) float64 {
	φ1, φ2 := lat1*rad, lat2*rad
	sφ := math.Sin((φ2 - φ1) / 2)
	sλ := math.Sin((lon2 - lon1) * rad / 2)
	h := sφ*sφ + math.Cos(φ1)*math.Cos(φ2)*sλ*sλ
	return 2 * math.Asin(math.Sqrt(min(1, h)))
}

// vec3 is a point on the unit sphere (or a direction) in Earth-centred
// coordinates.
type vec3 struct{ x, y, z float64 }

func unitVec(lat, lon float64) vec3 {
	φ, λ := lat*rad, lon*rad
	c := math.Cos(φ)
	return vec3{c * math.Cos(λ), c * math.Sin(λ), math.Sin(φ)}
}

func (a vec3) dot(b vec3) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }

func (a vec3) cross(b vec3) vec3 {
	return vec3{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}

func (a vec3) sub(b vec3) vec3 { return vec3{a.x - b.x, a.y - b.y, a.z - b.z} }

func (a vec3) scale(k float64) vec3 { return vec3{a.x * k, a.y * k, a.z * k} }

func (a vec3) norm() float64 { return math.Sqrt(a.dot(a)) }

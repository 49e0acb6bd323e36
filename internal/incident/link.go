package incident

import (
	"math"
	"time"
)

// Link says how close two compatible reports are.
type Link struct {
	DistanceKm float64       // between the centres of their places (0 for one admin-1 unit)
	Gap        time.Duration // between their intervals; 0 when they overlap or touch
}

// Compatible reports whether two reports may describe the same incident,
// and how close they are. The relation is symmetric and depends on the
// two reports alone:
//
//   - place: the centres are at most rA + rB + PlaceToleranceKm apart; a
//     report given by admin-1 unit is compatible with a point whose disk
//     (widened by the tolerance) reaches into the unit, and with a report
//     of the same unit, never with another unit;
//   - time: the intervals overlap, or the gap between them is at most
//     TimeTolerance;
//   - kind: both are hostile acts or neither is, they share a domain
//     (land, air, sea), and they are not two rows of one dataset (a
//     dataset codes each event once).
func (g *Grouper) Compatible(a, b *Item) (Link, bool) {
	if a.Hostile != b.Hostile || a.Domains&b.Domains == 0 || (a.Dataset != "" && a.Dataset == b.Dataset) {
		return Link{}, false
	}
	gap := max(a.T0, b.T0) - min(a.T1, b.T1)
	if gap > g.rules.TimeTolerance.Microseconds() {
		return Link{}, false
	}
	l := Link{Gap: time.Duration(max(gap, 0)) * time.Microsecond}
	switch {
	case a.Admin1 != "" && b.Admin1 != "":
		return l, a.Admin1 == b.Admin1
	case !a.placed || !b.placed:
		return Link{}, false
	case a.Admin1 != "":
		l.DistanceKm = distanceKm(a, b)
		return l, g.units[a.Admin1].area.Disk(b.Lat, b.Lon, b.RadiusKm+g.rules.PlaceToleranceKm) != outside
	case b.Admin1 != "":
		l.DistanceKm = distanceKm(a, b)
		return l, g.units[b.Admin1].area.Disk(a.Lat, a.Lon, a.RadiusKm+g.rules.PlaceToleranceKm) != outside
	}
	// A chord is shorter than its arc: a chord longer than the largest
	// allowed arc rules the pair out without the arcsine.
	reach := (a.RadiusKm + b.RadiusKm + g.rules.PlaceToleranceKm) / kmPerRad
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	c2 := dx*dx + dy*dy + dz*dz
	if c2 > reach*reach {
		return Link{}, false
	}
	l.DistanceKm = 2 * kmPerRad * math.Asin(min(1, math.Sqrt(c2)/2))
	return l, l.DistanceKm <= a.RadiusKm+b.RadiusKm+g.rules.PlaceToleranceKm
}

// Precise reports whether a report is placed and timed closely enough to
// link incidents together (Rules.PreciseRadiusKm, Rules.PreciseSpan).
func (g *Grouper) Precise(it *Item) bool {
	return it.placed && it.RadiusKm <= g.rules.PreciseRadiusKm && it.T1-it.T0 <= g.rules.PreciseSpan.Microseconds()
}

// better reports whether candidate a ranks before b for an attaching
// report: the nearer first, then the closer in time, then by the
// reports' own names (Item.Key) and last by id. The names come before
// ids because ids are given in the order reports arrive, and an exact tie
// (two rows of one dataset at one place on one day) must not be broken by
// arrival.
func better(a Link, ai *Item, b Link, bi *Item) bool {
	switch {
	case a.DistanceKm != b.DistanceKm:
		return a.DistanceKm < b.DistanceKm
	case a.Gap != b.Gap:
		return a.Gap < b.Gap
	case ai.Key != bi.Key:
		return ai.Key < bi.Key
	}
	return ai.ID < bi.ID
}

package incident_test

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func TestCompatible(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.28, 37.18 // Pokrovsk, Donetsk oblast (UA-14)
	base := rep{id: 1, lat: lat, lon: lon, r: 5, hours: 1}
	tests := []struct {
		name     string
		b        rep
		ok       bool
		distance float64 // km, when ok
		gap      time.Duration
	}{
		{"same place and time", rep{lat: lat, lon: lon, r: 5, hours: 1}, true, 0, 0},
		// 5 + 5 + 5 km of tolerance: 14.9 km apart links, 15.1 km does not.
		{"14.9 km apart", rep{lat: north(lat, 14.9), lon: lon, r: 5, hours: 1}, true, 14.9, 0},
		{"15.1 km apart", rep{lat: north(lat, 15.1), lon: lon, r: 5, hours: 1}, false, 0, 0},
		{"a wide radius reaches", rep{lat: north(lat, 60), lon: lon, r: 50, hours: 1}, true, 60, 0},
		{"overlapping in time", rep{lat: lat, lon: lon, r: 5, at: 0.5, hours: 2}, true, 0, 0},
		{"touching in time", rep{lat: lat, lon: lon, r: 5, at: 1, hours: 1}, true, 0, 0},
		{"2h59 after", rep{lat: lat, lon: lon, r: 5, at: 1 + 179.0/60, hours: 0}, true, 0, 179 * time.Minute},
		{"3h01 after", rep{lat: lat, lon: lon, r: 5, at: 1 + 181.0/60, hours: 0}, false, 0, 0},
		{"3h01 before", rep{lat: lat, lon: lon, r: 5, at: -1 - 181.0/60, hours: 1}, false, 0, 0},
		{"no shared domain", rep{lat: lat, lon: lon, r: 5, hours: 1, domains: []string{truce.DomainAir, truce.DomainSea}}, false, 0, 0},
		{"one shared domain", rep{lat: lat, lon: lon, r: 5, hours: 1, domains: []string{truce.DomainAir, truce.DomainLand}}, true, 0, 0},
		{"not a hostile act", rep{lat: lat, lon: lon, r: 5, hours: 1, notHostile: true}, false, 0, 0},
		{"a dataset row", rep{lat: lat, lon: lon, r: 5, hours: 1, source: "dataset:UCDP GED"}, true, 0, 0},
		{"in the unit", rep{admin1: "UA-14", hours: 1}, true, -1, 0},
		{"another unit", rep{admin1: "UA-32", hours: 1}, false, 0, 0},
		{"an unknown unit", rep{admin1: "UA-99", hours: 1}, false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.id = 2
			its := items(t, g, base, tc.b)
			l, ok := g.Compatible(&its[0], &its[1])
			l2, ok2 := g.Compatible(&its[1], &its[0])
			if ok != tc.ok || ok2 != ok || l != l2 {
				t.Fatalf("Compatible = %+v %v, reversed %+v %v; want %v", l, ok, l2, ok2, tc.ok)
			}
			if !ok {
				return
			}
			if tc.distance >= 0 && (l.DistanceKm < tc.distance-0.01 || l.DistanceKm > tc.distance+0.01) {
				t.Errorf("distance %v km, want %v", l.DistanceKm, tc.distance)
			}
			if l.Gap != tc.gap {
				t.Errorf("gap %v, want %v", l.Gap, tc.gap)
			}
		})
	}
}

func TestCompatibleUnits(t *testing.T) {
	g := grouper(t)
	tests := []struct {
		name string
		a, b rep
		ok   bool
	}{
		{"one unit", rep{admin1: "UA-14", hours: 24}, rep{admin1: "ua-14", hours: 24}, true},
		{"neighbouring units", rep{admin1: "UA-14", hours: 24}, rep{admin1: "UA-09", hours: 24}, false},
		{"an unknown unit twice", rep{admin1: "UA-99", hours: 24}, rep{admin1: "UA-99", hours: 24}, true},
		{"Kyiv city and a point in it", rep{admin1: "UA-30", hours: 24}, rep{lat: 50.45, lon: 30.52, r: 1, hours: 1}, true},
		{"Kyiv city and a point in Lviv", rep{admin1: "UA-30", hours: 24}, rep{lat: 49.84, lon: 24.03, r: 1, hours: 1}, false},
		// Two datasets code one event each: rows of one never link.
		{"two rows of one dataset", rep{lat: 48, lon: 37, r: 2, hours: 24, source: "dataset:UCDP GED"}, rep{lat: 48, lon: 37, r: 2, hours: 24, source: "dataset:ucdp  ged"}, false},
		{"rows of two datasets", rep{lat: 48, lon: 37, r: 2, hours: 24, source: "dataset:UCDP GED"}, rep{lat: 48, lon: 37, r: 2, hours: 24, source: "dataset:ACLED"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.id, tc.b.id = 1, 2
			its := items(t, g, tc.a, tc.b)
			if _, ok := g.Compatible(&its[0], &its[1]); ok != tc.ok {
				t.Errorf("Compatible = %v, want %v", ok, tc.ok)
			}
		})
	}
}

func TestPrecise(t *testing.T) {
	g := grouper(t)
	tests := []struct {
		r    rep
		want bool
	}{
		{rep{lat: 48, lon: 37, r: 50, hours: 48}, true},
		{rep{lat: 48, lon: 37, r: 50.1, hours: 1}, false},
		{rep{lat: 48, lon: 37, r: 2, hours: 48.1}, false},
		{rep{admin1: "UA-14", hours: 24}, false}, // Donetsk oblast is some 150 km across
		{rep{admin1: "UA-40", hours: 24}, true},  // Sevastopol is small
		{rep{admin1: "UA-99", hours: 24}, false}, // unknown: not placed
	}
	for _, tc := range tests {
		it := items(t, g, tc.r)[0]
		if got := g.Precise(&it); got != tc.want {
			t.Errorf("Precise(%+v) = %v, want %v (radius %v km)", tc.r, got, tc.want, it.RadiusKm)
		}
	}
}

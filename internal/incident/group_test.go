package incident_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
)

func TestGroup(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.0, 37.0
	tests := []struct {
		name string
		reps []rep
		want [][]int64
	}{
		{"alone", []rep{{id: 1, lat: lat, lon: lon, r: 2, hours: 1}}, [][]int64{{1}}},
		{
			// 1 and 3 are 24 km apart (more than 2 + 2 + 5), 2 sits
			// between them: a chain of precise reports is one incident.
			"chain", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 1},
				{id: 2, lat: north(lat, 8), lon: lon, r: 2, hours: 1},
				{id: 3, lat: north(lat, 16), lon: lon, r: 2, hours: 1},
				{id: 4, lat: north(lat, 40), lon: lon, r: 2, hours: 1},
			}, [][]int64{{1, 2, 3}, {4}},
		},
		{
			// 9 is compatible with both incidents (radius 150 km) but
			// only attaches to the nearer; it does not merge them.
			"imprecise attaches, never bridges", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 1},
				{id: 2, lat: north(lat, 100), lon: lon, r: 2, hours: 1},
				{id: 9, lat: north(lat, 60), lon: lon, r: 150, hours: 1},
			}, [][]int64{{1}, {2, 9}},
		},
		{
			// On either side of the equator, the distances are equal to
			// the last bit.
			"equidistant: the smaller id", []rep{
				{id: 5, lat: 0.45, lon: 30, r: 2, hours: 1},
				{id: 7, lat: -0.45, lon: 30, r: 2, hours: 1},
				{id: 9, lat: 0, lon: 30, r: 150, hours: 1},
			}, [][]int64{{5, 9}, {7}},
		},
		{
			"equidistant: the closer in time", []rep{
				{id: 5, lat: 0.45, lon: 30, r: 2, at: -2, hours: 1},
				{id: 7, lat: -0.45, lon: 30, r: 2, hours: 1},
				{id: 9, lat: 0, lon: 30, r: 150, at: 2, hours: 1},
			}, [][]int64{{5}, {7, 9}},
		},
		{
			"imprecise reports do not group with each other", []rep{
				{id: 1, lat: lat, lon: lon, r: 150, hours: 1},
				{id: 2, lat: lat, lon: lon, r: 2, hours: 72},
			}, [][]int64{{1}, {2}},
		},
		{
			"a week-long report attaches", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 1},
				{id: 2, lat: lat, lon: lon, r: 2, at: -72, hours: 168},
			}, [][]int64{{1, 2}},
		},
		{
			// Two rows of one dataset never link, but a media report
			// compatible with both holds the three together.
			"dataset rows through a third source", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 24, source: "dataset:UCDP GED"},
				{id: 2, lat: lat, lon: lon, r: 2, hours: 24, source: "dataset:UCDP GED"},
				{id: 3, lat: lat, lon: lon, r: 2, hours: 24, source: "dataset:UCDP GED"},
				{id: 4, lat: north(lat, 3), lon: lon, r: 2, at: 5, hours: 1},
			}, [][]int64{{1, 2, 3, 4}},
		},
		{
			"dataset rows alone", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 24, source: "dataset:UCDP GED"},
				{id: 2, lat: lat, lon: lon, r: 2, hours: 24, source: "dataset:UCDP GED"},
			}, [][]int64{{1}, {2}},
		},
		{
			// Local days that follow each other touch: the same place on
			// consecutive days is one incident unless a monitor splits it.
			"consecutive days", []rep{
				{id: 1, lat: lat, lon: lon, r: 2, hours: 24},
				{id: 2, lat: lat, lon: lon, r: 2, at: 24, hours: 24},
				{id: 3, lat: lat, lon: lon, r: 2, at: 72, hours: 24},
			}, [][]int64{{1, 2}, {3}},
		},
		{
			"across the antimeridian", []rep{
				{id: 1, lat: 65, lon: 179.99, r: 2, hours: 1},
				{id: 2, lat: 65, lon: -179.99, r: 2, hours: 1},
			}, [][]int64{{1, 2}},
		},
		{
			"a unit and a point in it", []rep{
				{id: 1, admin1: "UA-14", hours: 24},
				{id: 2, lat: 48.28, lon: 37.18, r: 2, at: 3, hours: 1},
				{id: 3, lat: 50.45, lon: 30.52, r: 2, at: 3, hours: 1},
			}, [][]int64{{1, 2}, {3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := members(g.Group(items(t, g, tc.reps...), nil, nil))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Group = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGroupShuffled groups the real UCDP GED events and 30,000 reports
// resampled from them and from FIRMS, in six orders: the incidents must
// not depend on the order.
func TestGroupShuffled(t *testing.T) {
	g := grouper(t)
	ucdp, firms := loadUCDP(t), loadFIRMS(t)
	var its []incident.Item
	for i, e := range ucdp {
		it := incident.NewPointItem(int64(i+1), e.first, e.last.AddDate(0, 0, 1), e.lat, e.lon, e.radiusKm, 3, "dataset:ucdp ged")
		it.Dataset = "ucdp ged"
		its = append(its, it)
	}
	for _, it := range resample(30_000, ucdp, firms, 7) {
		it.ID += int64(len(ucdp))
		its = append(its, it)
	}
	want := members(g.Group(its, nil, nil))
	if len(want) < 1000 || len(want) > len(its)/2 {
		t.Fatalf("%d incidents of %d reports: the data should group some and leave many apart", len(want), len(its))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5 {
		shuffled := slices.Clone(its)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := members(g.Group(shuffled, nil, nil)); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: %d incidents, first %v; want %d, first %v", i, len(got), got[:3], len(want), want[:3])
		}
	}
}

func TestGroupDecisions(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.0, 37.0
	// 1–2–3 a chain, 1 and 3 too far apart to link; 4 far away; 5
	// imprecise, nearest to 2; 6 near 3.
	reps := []rep{
		{id: 1, lat: lat, lon: lon, r: 2, hours: 1},
		{id: 2, lat: north(lat, 8), lon: lon, r: 2, hours: 1},
		{id: 3, lat: north(lat, 16), lon: lon, r: 2, hours: 1},
		{id: 4, lat: north(lat, 200), lon: lon, r: 2, hours: 1},
	}
	at := time.Date(2025, 5, 10, 0, 0, 0, 0, time.UTC)
	split := func(id int64, report int64, from ...int64) incident.Decision {
		return incident.Decision{ID: id, Kind: incident.DecisionSplit, By: "mon", Reason: "not the same", At: at, Report: report, Reports: from}
	}
	merge := func(id int64, ids ...int64) incident.Decision {
		return incident.Decision{ID: id, Kind: incident.DecisionMerge, By: "mon", Reason: "the same", At: at, Reports: ids}
	}
	tests := []struct {
		name string
		ds   []incident.Decision
		want [][]int64
	}{
		{"none", nil, [][]int64{{1, 2, 3}, {4}}},
		// 2 held the chain: without it 1 and 3 fall apart, and 2 may
		// attach to neither.
		{"split the link", []incident.Decision{split(1, 2, 1, 3)}, [][]int64{{1}, {2}, {3}, {4}}},
		{"split an end", []incident.Decision{split(1, 3, 1, 2)}, [][]int64{{1, 2}, {3}, {4}}},
		// Kept apart from 1 only, 2 attaches to 3.
		{"split from one", []incident.Decision{split(1, 2, 1)}, [][]int64{{1}, {2, 3}, {4}}},
		{"merge", []incident.Decision{merge(1, 1, 2, 3, 4)}, [][]int64{{1, 2, 3, 4}}},
		{"merge lifts an earlier split", []incident.Decision{split(1, 2, 1, 3), merge(2, 1, 2, 3)}, [][]int64{{1, 2, 3}, {4}}},
		{"split lifts an earlier merge", []incident.Decision{merge(1, 1, 2, 3, 4), split(2, 4, 1, 2, 3)}, [][]int64{{1, 2, 3}, {4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := incident.NewConstraints(incident.InForce(tc.ds))
			its := items(t, g, reps...)
			if got := members(g.Group(its, nil, c)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Group = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInForce(t *testing.T) {
	ds := []incident.Decision{
		{ID: 3, Kind: incident.DecisionMerge, Reports: []int64{1, 2, 5}},
		{ID: 1, Kind: incident.DecisionSplit, Report: 2, Reports: []int64{1, 3}},
		{ID: 4, Kind: incident.DecisionSplit, Report: 5, Reports: []int64{1, 2}},
	}
	got := incident.InForce(ds)
	want := []incident.Decision{
		{ID: 1, Kind: incident.DecisionSplit, Report: 2, Reports: []int64{3}}, // the merge lifted 2 apart from 1
		{ID: 3, Kind: incident.DecisionMerge, Reports: []int64{1, 2}},         // the later split took 5 out
		{ID: 4, Kind: incident.DecisionSplit, Report: 5, Reports: []int64{1, 2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("InForce =\n%+v\nwant\n%+v", got, want)
	}
	if ds[0].ID != 3 || len(ds[0].Reports) != 3 {
		t.Errorf("InForce changed its input: %+v", ds)
	}
}

// TestGroupFixed groups part of a record against the rest: reports that
// attach to an incident outside, and a split kept against a report
// outside.
func TestGroupFixed(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.0, 37.0
	outside := items(t, g,
		rep{id: 10, lat: lat, lon: lon, r: 2, hours: 1},
		rep{id: 11, lat: north(lat, 30), lon: lon, r: 2, hours: 1},
	)
	fixed := []incident.Fixed{{Item: outside[0], Incident: 100}, {Item: outside[1], Incident: 101}}
	its := items(t, g,
		rep{id: 1, lat: north(lat, 5), lon: lon, r: 150, hours: 1}, // nearest 10
		rep{id: 2, lat: north(lat, 4), lon: lon, r: 150, hours: 1}, // nearest 10, but split from it
		rep{id: 3, lat: north(lat, 400), lon: lon, r: 2, hours: 1}, // alone
	)
	c := incident.NewConstraints([]incident.Decision{{ID: 1, Kind: incident.DecisionSplit, Report: 2, Reports: []int64{10}}})
	got := members(g.Group(its, fixed, c))
	want := [][]int64{{-100, 1}, {-101, 2}, {3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Group = %v, want %v", got, want)
	}
}

func TestAffected(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.0, 37.0
	existing := items(t, g,
		rep{id: 1, lat: lat, lon: lon, r: 2, hours: 1},              // linked by 10
		rep{id: 2, lat: north(lat, 50), lon: lon, r: 2, hours: 1},   // too far
		rep{id: 3, lat: north(lat, 60), lon: lon, r: 150, hours: 1}, // imprecise, may move to 10
		rep{id: 4, lat: lat, lon: lon, r: 2, at: 10, hours: 1},      // too late
	)
	fresh := items(t, g,
		rep{id: 10, lat: north(lat, 3), lon: lon, r: 2, hours: 1},
		rep{id: 11, lat: lat, lon: lon, r: 300, hours: 1}, // imprecise: links nothing
	)
	got := g.Affected(fresh, existing, nil)
	if want := []int64{1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Affected = %v, want %v", got, want)
	}
}

func TestExplain(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.0, 37.0
	at := time.Date(2025, 5, 10, 8, 0, 0, 0, time.UTC)
	its := items(t, g,
		rep{id: 1, lat: lat, lon: lon, r: 2, hours: 1},
		rep{id: 2, lat: north(lat, 8), lon: lon, r: 2, at: 2, hours: 1},
		rep{id: 3, lat: north(lat, 20), lon: lon, r: 150, hours: 1},
		rep{id: 4, lat: north(lat, 300), lon: lon, r: 2, hours: 1},
	)
	c := incident.NewConstraints([]incident.Decision{{ID: 7, Kind: incident.DecisionMerge, By: "anna", Reason: "same strike", At: at, Reports: []int64{1, 2, 3, 4}}})
	ms := g.Explain(its, c)
	want := []struct {
		role string
		via  int64
		dist float64
		gap  int64
		why  string
	}{
		{incident.RoleLinked, 2, 8, 60, "#1 links to #2: 8 km apart, within 2 + 2 + 5 km, 1 h apart in time, within 3 h, sharing land"},
		{incident.RoleLinked, 1, 8, 60, "#2 links to #1"},
		{incident.RoleMerged, 2, 12, 60, "kept in this incident by a monitor: merged by anna on 2025-05-10 08:00 UTC (decision 7): same strike; it is also compatible with #2"},
		{incident.RoleMerged, 0, 0, 0, "#4 is kept in this incident by a monitor"},
	}
	for i, w := range want {
		m := ms[i]
		if m.ReportID != its[i].ID || m.Role != w.role || m.Via != w.via || m.DistanceKm != w.dist || m.GapMinutes != w.gap || !strings.Contains(m.Why, w.why) {
			t.Errorf("member %d: %+v\nwant %+v", i, m, w)
		}
	}
	if !slices.Equal(ms[3].Decisions, []int64{7}) {
		t.Errorf("decisions of #4: %v", ms[3].Decisions)
	}
	// Without the merge, 3 attaches to the nearer of 1 and 2, and 4
	// stands alone.
	ms = g.Explain(its[:3], nil)
	if m := ms[2]; m.Role != incident.RoleAttached || m.Via != 2 || !strings.Contains(m.Why, "placed within 150 km (more than 50)") {
		t.Errorf("attached: %+v", m)
	}
	ms = g.Explain(its[3:], nil)
	if m := ms[0]; m.Role != incident.RoleSeed {
		t.Errorf("seed: %+v", m)
	}
	// A merge that keeps a report with one it was split from is flagged.
	c = incident.NewConstraints(incident.InForce([]incident.Decision{
		{ID: 1, Kind: incident.DecisionSplit, By: "anna", Reason: "different", At: at, Report: 2, Reports: []int64{1}},
		{ID: 2, Kind: incident.DecisionMerge, By: "ben", Reason: "same", At: at, Reports: []int64{2, 3}},
	}))
	ms = g.Explain(its[:3], c)
	if m := ms[1]; !strings.Contains(m.Why, "yet a later merge keeps it with #1, which it was split from: a monitor should review") {
		t.Errorf("conflict: %+v", m)
	}
}

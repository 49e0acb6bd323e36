package incident_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

func memberList(t *testing.T, g *incident.Grouper, rs ...rep) []incident.Member {
	t.Helper()
	its := items(t, g, rs...)
	ms := make([]incident.Member, len(rs))
	for i, r := range rs {
		ms[i] = incident.Member{Item: its[i], Report: r.report()}
	}
	return ms
}

func TestSummarize(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.28, 37.18
	ms := memberList(t, g,
		rep{id: 1, lat: lat, lon: lon, r: 2, hours: 1, perps: []string{"RU"}},
		rep{id: 2, lat: north(lat, 6), lon: lon, r: 4, at: 0.5, hours: 1.5, perps: []string{"Military Forces of Russia", "RU"}, domains: []string{"air"}},
		rep{id: 3, lat: lat, lon: lon, r: 150, at: -12, hours: 24, domains: []string{"sea", "land"}},
	)
	ms[0].Report.Targets = []string{"civilian"}
	ms[1].Report.Targets = []string{"energy", "civilian"}
	ms[0].Report.Description = "Shelling of Pokrovsk\nsecond line"
	s := g.Summarize(ms, nil)
	// Weights 1/2² and 1/4²: the centre lies a fifth of the way from 1 to
	// 2, 1.2 km north of 1; the smallest disk around it holding a whole
	// core disk is 1's: 2 + 1.2 km.
	if s.Anchor != 1 || !s.From.Equal(t0) || !s.To.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("anchor %d, interval %v–%v", s.Anchor, s.From, s.To)
	}
	if d := (s.Lat - north(lat, 1.2)) * kmPerDegLat; d < -0.01 || d > 0.01 || s.Lon < lon-1e-6 || s.Lon > lon+1e-6 {
		t.Errorf("centre %v, %v: %v km from the expected", s.Lat, s.Lon, d)
	}
	if s.RadiusKm < 3.2 || s.RadiusKm > 3.3 {
		t.Errorf("radius %v, want 3.2", s.RadiusKm)
	}
	want := incident.Summary{Anchor: 1, From: s.From, To: s.To, Lat: s.Lat, Lon: s.Lon, RadiusKm: s.RadiusKm, Admin1: "UA-14",
		Domains: []string{"land", "air", "sea"}, Targets: []string{"energy", "civilian"},
		Perpetrators: []string{"Military Forces of Russia", "RU"}, Title: "Shelling of Pokrovsk", Hostile: true}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Summarize =\n%+v\nwant\n%+v", s, want)
	}

	// Placed by one unit alone.
	s = g.Summarize(memberList(t, g, rep{id: 4, admin1: "UA-14", hours: 24}, rep{id: 5, admin1: "UA-14", hours: 24}), nil)
	if s.Admin1 != "UA-14" || !s.ByUnit || s.Anchor != 4 {
		t.Errorf("by unit: %+v", s)
	}
	long := strings.Repeat("word ", 40)
	s = g.Summarize(memberList(t, g, rep{id: 6, lat: lat, lon: lon, r: 1, hours: 1}), nil)
	ms = memberList(t, g, rep{id: 6, lat: lat, lon: lon, r: 1, hours: 1})
	ms[0].Report.Description = long
	if s = g.Summarize(ms, nil); len([]rune(s.Title)) != 120 || !strings.HasSuffix(s.Title, "…") {
		t.Errorf("title %q", s.Title)
	}
}

func TestCorroborate(t *testing.T) {
	g := grouper(t)
	const lat, lon = 48.28, 37.18
	ms := memberList(t, g,
		rep{id: 1, lat: lat, lon: lon, r: 5, hours: 1, source: "Suspilne"},
		rep{id: 2, lat: lat, lon: lon, r: 5, hours: 1, source: "suspilne "},
		rep{id: 3, lat: lat, lon: lon, r: 5, hours: 1},
	)
	ms[2].Report.Source = truce.ReportSource{Kind: truce.SourceParty, Name: "General Staff", Party: "UA"}
	ms[2].Item = items(t, g, rep{id: 3, lat: lat, lon: lon, r: 5, hours: 1})[0]
	ms[2].Item.Source = incident.SourceKey(ms[2].Report.Source)
	s := g.Summarize(ms, nil)
	fire := func(id int64, km, afterEnd float64) truce.Observation {
		la, lo := north(lat, km), lon
		at := s.To.Add(time.Duration(afterEnd * float64(time.Hour)))
		return truce.Observation{ID: id, Kind: truce.ObservationFire, From: at, To: at.Add(time.Minute), Lat: &la, Lon: &lo, RadiusKm: 0.4}
	}
	alert := func(id int64, unit string, from, to time.Time) truce.Observation {
		return truce.Observation{ID: id, Kind: truce.ObservationAlert, Admin1: unit, From: from, To: to}
	}
	obs := []truce.Observation{
		fire(10, 3, 5.9),   // within the radius (5 km) and 6 h
		fire(11, 5.5, 1),   // 5.5 km: beyond 5 + 0.4 km
		fire(12, 0, 6.1),   // too late
		fire(13, 1, -6.95), // 5 h 57 before the start: the incident lasts an hour
		alert(20, "UA-14", s.From.Add(-time.Hour), s.From.Add(time.Minute)),
		alert(21, "UA-14", s.From.Add(-2*time.Hour), s.From.Add(-time.Minute)),
		alert(22, "UA-23", s.From, s.To),
	}
	c := g.Corroborate(s, ms, obs)
	wantSources := []incident.Source{{Key: "media:suspilne", Reports: []int64{1, 2}}, {Key: "party:UA", Reports: []int64{3}}}
	if !reflect.DeepEqual(c.Sources, wantSources) {
		t.Errorf("sources %+v", c.Sources)
	}
	if c.Fires != 2 || !reflect.DeepEqual(c.FireIDs, []int64{13, 10}) || c.Alerts != 1 || !reflect.DeepEqual(c.AlertIDs, []int64{20}) {
		t.Errorf("fires %d %v, alerts %d %v", c.Fires, c.FireIDs, c.Alerts, c.AlertIDs)
	}
	if c.Score != 0.7 || len(c.Terms) != 3 || c.Terms[0].Points != 0.3 || c.Terms[1].Points != 0.2 || c.Terms[2].Points != 0.2 {
		t.Errorf("score %v, terms %+v", c.Score, c.Terms)
	}
	if got := incident.CorroborationReason(c); got != "2 independent sources: media:suspilne (#1, #2), party:UA (#3)" {
		t.Errorf("reason %q", got)
	}
	// Three sources: 0.6 × (1 − ¼).
	ms[1].Item.Source = "media:kyiv independent"
	if c := g.Corroborate(s, ms, nil); c.Score != 0.45 || len(c.Sources) != 3 {
		t.Errorf("three sources: %v %+v", c.Score, c.Sources)
	}
	// Sensors do not bear on what is not a hostile act.
	s.Hostile = false
	if c := g.Corroborate(s, ms[:1], obs); c.Score != 0 || c.Fires != 0 || c.Alerts != 0 {
		t.Errorf("not hostile: %+v", c)
	}
}

func TestMayTransition(t *testing.T) {
	for _, role := range []truce.Role{truce.RoleAdmin, truce.RoleMonitor, truce.RoleLiaison, truce.RoleAnalyst, truce.RolePublic} {
		for _, to := range truce.IncidentStatuses {
			if got, want := incident.MayTransition(role, to), role == truce.RoleMonitor; got != want {
				t.Errorf("MayTransition(%s, %s) = %v, want %v", role, to, got, want)
			}
		}
		if incident.MayTransition(role, "merged") {
			t.Errorf("MayTransition(%s, merged): not a status", role)
		}
	}
}

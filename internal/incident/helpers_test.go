package incident_test

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
)

var gazetteer = sync.OnceValues(geo.Load)

// grouper returns a Grouper with the default rules and the gazetteer.
func grouper(t testing.TB) *incident.Grouper {
	t.Helper()
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// kmPerDegLat is the length of a degree of latitude on the sphere geo
// measures on: 6371.0088 km × π / 180.
var kmPerDegLat = geo.EarthRadiusKm * math.Pi / 180

// north returns the latitude km kilometres north of lat along a meridian.
func north(lat, km float64) float64 { return lat + km/kmPerDegLat }

var t0 = time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)

// rep is a report for tests: a point, an interval from t0, and a source.
type rep struct {
	id          int64
	lat, lon, r float64
	at, hours   float64 // start, hours after t0, and length
	source      string  // media outlet name; "dataset:NAME" for a dataset row
	domains     []string
	notHostile  bool
	admin1      string
	perps       []string
	means       []truce.Means
}

func (r rep) report() truce.Report {
	from := t0.Add(time.Duration(r.at * float64(time.Hour)))
	to := from.Add(time.Duration(r.hours * float64(time.Hour)))
	out := truce.Report{
		ID:           r.id,
		Source:       truce.ReportSource{Kind: truce.SourceMedia, Name: r.source},
		Occurred:     truce.Occurrence{From: &from, To: &to},
		Place:        truce.Point(r.lat, r.lon, r.r),
		Domains:      r.domains,
		NotHostile:   r.notHostile,
		Perpetrators: r.perps,
		Means:        r.means,
		Description:  "test report",
	}
	if name, ok := cutPrefix(r.source, "dataset:"); ok {
		out.Source = truce.ReportSource{Kind: truce.SourceDataset, Name: name}
	}
	if out.Source.Name == "" {
		out.Source.Name = "outlet"
	}
	if out.Domains == nil {
		out.Domains = []string{truce.DomainLand}
	}
	if r.admin1 != "" {
		out.Place = truce.Place{Admin1: r.admin1}
	}
	return out
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

func items(t testing.TB, g *incident.Grouper, rs ...rep) []incident.Item {
	t.Helper()
	out := make([]incident.Item, len(rs))
	for i, r := range rs {
		it, err := g.ItemOf(r.report())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = it
	}
	return out
}

// members returns the groups as lists of ids, with outside incidents
// written as a negative first element.
func members(gs []incident.Group) [][]int64 {
	out := make([][]int64, len(gs))
	for i, g := range gs {
		out[i] = slices.Clone(g.Members)
		if g.Incident != 0 {
			out[i] = append([]int64{-g.Incident}, out[i]...)
		}
	}
	return out
}

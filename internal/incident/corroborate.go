package incident

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// AutoCorroborateSources is how many independent sources move an alleged
// incident to corroborated without a monitor.
const AutoCorroborateSources = 2

// Weights of the corroboration score: it is the sum of its terms, each
// shown with why it has the value it has.
const (
	weightSources = 0.6 // 0.6 × (1 − ½^(n−1)) for n independent sources: 0, 0.3, 0.45, …
	weightFires   = 0.2 // any FIRMS detection within the incident's radius and the sensor window
	weightAlerts  = 0.2 // any air-raid alert over the incident's oblast during its interval
)

// Corroboration is how well an incident is supported: by how many
// independent sources, by which sensor signals, and the score they make.
type Corroboration struct {
	Score    float64  `json:"score"`
	Sources  []Source `json:"sources"`
	Fires    int      `json:"fires"`
	FireIDs  []int64  `json:"fire_ids,omitempty"` // the nearest ten
	Alerts   int      `json:"alerts"`
	AlertIDs []int64  `json:"alert_ids,omitempty"` // the first ten
	Terms    []Term   `json:"terms"`
}

// Source is one independent source and the incident's reports from it.
type Source struct {
	Key     string  `json:"key"` // see SourceKey
	Reports []int64 `json:"report_ids"`
}

// Term is one part of the score.
type Term struct {
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	Max    float64 `json:"max"`
	Why    string  `json:"why"`
}

// SensorWindow returns where and when to look for an incident's sensor
// signals: the interval widened by Rules.SensorWindow, and a box (west,
// south, east, north) around the incident's disk with room for the
// largest FIRMS pixel.
func (g *Grouper) SensorWindow(s Summary) (from, to time.Time, bbox [4]float64) {
	w := g.rules.SensorWindow
	reach := s.RadiusKm + 10
	dLat := reach / kmPerRad * 180 / math.Pi
	dLon := 180.0
	if c := math.Cos((math.Abs(s.Lat) + dLat) * math.Pi / 180); c > 0.01 {
		dLon = min(180, dLat/c)
	}
	return s.From.Add(-w), s.To.Add(w), [4]float64{s.Lon - dLon, max(-90, s.Lat-dLat), s.Lon + dLon, min(90, s.Lat+dLat)}
}

// Corroborate measures an incident's support: independent sources among
// its members, FIRMS fires whose pixel reaches within the incident's
// radius in its interval widened by Rules.SensorWindow, and air-raid
// alerts over the incident's oblast that were on during its interval.
// Sensors only support hostile acts. obs may hold more than the
// candidates (see SensorWindow); each is checked here.
func (g *Grouper) Corroborate(s Summary, members []Member, obs []truce.Observation) Corroboration {
	var c Corroboration
	bySource := map[string][]int64{}
	for _, m := range members {
		bySource[m.Item.Source] = append(bySource[m.Item.Source], m.Item.ID)
	}
	for k, ids := range bySource {
		slices.Sort(ids)
		c.Sources = append(c.Sources, Source{Key: k, Reports: ids})
	}
	slices.SortFunc(c.Sources, func(a, b Source) int { return strings.Compare(a.Key, b.Key) })

	centre := NewPointItem(0, s.From, s.To, s.Lat, s.Lon, s.RadiusKm, 0, "")
	lo, hi := s.From.Add(-g.rules.SensorWindow), s.To.Add(g.rules.SensorWindow)
	type fire struct {
		id int64
		d  float64
	}
	var fires []fire
	var alerts []int64
	for _, o := range obs {
		switch {
		case !s.Hostile:
		case o.Kind == truce.ObservationFire && o.Lat != nil && o.Lon != nil:
			if o.To.Before(lo) || o.From.After(hi) {
				continue
			}
			p := NewPointItem(0, o.From, o.To, *o.Lat, *o.Lon, 0, 0, "")
			if d := distanceKm(&centre, &p); d <= s.RadiusKm+o.RadiusKm {
				fires = append(fires, fire{o.ID, d})
			}
		case o.Kind == truce.ObservationAlert && s.Admin1 != "" && strings.EqualFold(o.Admin1, s.Admin1):
			if activeDuring(o.From, o.To, s.From, s.To) {
				alerts = append(alerts, o.ID)
			}
		}
	}
	slices.SortFunc(fires, func(a, b fire) int {
		if a.d != b.d {
			return cmpFloat(a.d, b.d)
		}
		return cmpInt(a.id, b.id)
	})
	c.Fires = len(fires)
	for _, f := range fires[:min(10, len(fires))] {
		c.FireIDs = append(c.FireIDs, f.id)
	}
	slices.Sort(alerts)
	c.Alerts = len(alerts)
	c.AlertIDs = alerts[:min(10, len(alerts))]

	n := len(c.Sources)
	src := Term{Name: "independent sources", Max: weightSources, Points: weightSources * (1 - math.Pow(0.5, float64(max(n-1, 0))))}
	names := make([]string, n)
	for i, s := range c.Sources {
		names[i] = fmt.Sprintf("%s (%s)", s.Key, idList(s.Reports))
	}
	src.Why = fmt.Sprintf("%d independent source%s: %s; each source after the first halves what is left to %s", n, plural(n), strings.Join(names, ", "), num(weightSources))
	fireTerm := Term{Name: "FIRMS fire detections", Max: weightFires}
	alertTerm := Term{Name: "air-raid alerts", Max: weightAlerts}
	window := fmt.Sprintf("%s–%s UTC", lo.UTC().Format("2006-01-02 15:04"), hi.UTC().Format("2006-01-02 15:04"))
	switch {
	case !s.Hostile:
		fireTerm.Why = "not a hostile act: sensors do not bear on it"
		alertTerm.Why = fireTerm.Why
	default:
		fireTerm.Why = fmt.Sprintf("%d detection%s within %s km of %s, %s in %s", c.Fires, plural(c.Fires), num(s.RadiusKm), latLon(s.Lat, s.Lon), "seen", window)
		if c.Fires > 0 {
			fireTerm.Points = weightFires
			fireTerm.Why += ", nearest " + idList(c.FireIDs)
		}
		switch {
		case s.Admin1 == "":
			alertTerm.Why = "the incident is in no known oblast"
		default:
			alertTerm.Why = fmt.Sprintf("%d alert%s over %s on during %s–%s UTC", c.Alerts, plural(c.Alerts), s.Admin1,
				s.From.UTC().Format("2006-01-02 15:04"), s.To.UTC().Format("2006-01-02 15:04"))
			if c.Alerts > 0 {
				alertTerm.Points = weightAlerts
				alertTerm.Why += ", first " + idList(c.AlertIDs)
			}
		}
	}
	c.Terms = []Term{src, fireTerm, alertTerm}
	for i := range c.Terms {
		c.Terms[i].Points = round3(c.Terms[i].Points)
		c.Score += c.Terms[i].Points
	}
	c.Score = round3(c.Score)
	return c
}

// activeDuring reports whether an alert on over [a0, a1] was on at some
// instant of the incident's [i0, i1) (or at the instant i0 = i1).
func activeDuring(a0, a1, i0, i1 time.Time) bool {
	if i0.Equal(i1) {
		return !a0.After(i0) && !a1.Before(i0)
	}
	return a0.Before(i1) && !a1.Before(i0)
}

// CorroborationReason is the reason of an automatic move to
// corroborated, naming the sources.
func CorroborationReason(c Corroboration) string {
	parts := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		parts[i] = fmt.Sprintf("%s (%s)", s.Key, idList(s.Reports))
	}
	return fmt.Sprintf("%d independent sources: %s", len(c.Sources), strings.Join(parts, ", "))
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(parts, ", ")
}

func latLon(lat, lon float64) string {
	return fmt.Sprintf("%s, %s", fmtCoord(lat), fmtCoord(lon))
}

func fmtCoord(f float64) string { return fmt.Sprintf("%.4f", f) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

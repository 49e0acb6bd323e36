package adjudicate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/events"
	"github.com/truce-monitor/truce/internal/geo"
)

// PlaceKind says how much is known of where an event happened.
type PlaceKind uint8

// Place kinds.
const (
	PlaceUnknown PlaceKind = iota // e.g. UCDP where_prec 7: water or airspace
	PlacePoint                    // a point with an uncertainty radius
	PlaceAdmin1                   // somewhere in an admin-1 unit
)

// Place is where an event happened. For an admin-1 unit, Lat, Lon and
// RadiusKm describe a disk that covers the whole unit.
type Place struct {
	Kind     PlaceKind
	Lat, Lon float64
	RadiusKm float64
	Admin1   string
	Note     string // why the place is unknown, for explanations
}

// Event is an event normalised for adjudication: what the tests of
// contract §3 read, and the words to explain them.
type Event struct {
	ID       string
	From, To time.Time // the interval [From, To) the event lies in
	When     string    // the interval as the source gave it, e.g. "2025-04-20 (Europe/Kyiv)"
	Place    Place
	Hostile  bool
	Kind     string // what the event is, e.g. "Protests/Peaceful protest"
	Domains  []string
	Targets  []string // agreement targets hit: energy, civilian
	// Perpetrators are actor names as the source wrote them; the engine
	// maps them to parties.
	Perpetrators []string
}

// EventFromRecord normalises a row of an ACLED or UCDP GED file.
func EventFromRecord(r *events.Record) Event {
	ev := Event{
		ID: r.ID, From: r.From, To: r.To, When: r.When(),
		Hostile: r.Hostile(), Kind: r.Kind(),
		Domains: r.Domains, Targets: r.Targets, Perpetrators: r.Perpetrators,
	}
	if r.HasPlace {
		ev.Place = Place{Kind: PlacePoint, Lat: r.Lat, Lon: r.Lon, RadiusKm: r.RadiusKm}
	} else {
		ev.Place = Place{Kind: PlaceUnknown, Note: "water or airspace, UCDP where_prec 7"}
	}
	return ev
}

// EventFromReport normalises a stored report (contracts/REPORTS.md). The
// place is its point and radius, or its admin-1 unit (which must be known to
// the gazetteer), or unknown; domains and perpetrators are as reported; the
// report targets energy and civilian are agreement targets; a report is a
// hostile act unless marked NotHostile. The error is a *truce.Error
// (EINVALID) naming the field.
func EventFromReport(r truce.Report, gz *geo.Gazetteer) (Event, error) {
	ev := Event{ID: r.ExternalID, Hostile: !r.NotHostile, Domains: r.Domains}
	if r.ID != 0 {
		ev.ID = strconv.FormatInt(r.ID, 10)
	}
	from, to, err := r.Occurred.Interval()
	if err != nil {
		return ev, prefixed("occurred", err)
	}
	ev.From, ev.To, ev.When = from, to, occurrenceText(r.Occurred, from, to)
	ev.Kind = strings.Trim(r.EventType+"/"+r.SubEventType, "/")
	if ev.Kind == "" {
		ev.Kind = "report"
	}
	switch p := r.Place; {
	case p.Admin1 != "":
		ev.Place, err = admin1Place(p.Admin1, gz)
		if err != nil {
			return ev, err
		}
	case p.Lat != nil && p.Lon != nil && p.RadiusKm != nil:
		if err := p.Validate(); err != nil {
			return ev, prefixed("place", err)
		}
		ev.Place = Place{Kind: PlacePoint, Lat: *p.Lat, Lon: *p.Lon, RadiusKm: *p.RadiusKm}
	case p.Lat != nil || p.Lon != nil || p.RadiusKm != nil:
		return ev, prefixed("place", p.Validate())
	default:
		ev.Place = Place{Kind: PlaceUnknown, Note: "not given"}
	}
	for _, t := range r.Targets {
		if (t == truce.TargetEnergy || t == truce.TargetCivilian) && !slices.Contains(ev.Targets, t) {
			ev.Targets = append(ev.Targets, t)
		}
	}
	for _, p := range r.Perpetrators {
		if p = strings.TrimSpace(p); p != "" {
			ev.Perpetrators = append(ev.Perpetrators, p)
		}
	}
	return ev, nil
}

// admin1Place returns a unit with a disk that covers it: the centre of its
// bounding box and the farthest vertex from it. Edges are straight in
// longitude/latitude, so they can bow out of the disk by a little; the
// margin covers that for units of a few hundred kilometres.
func admin1Place(code string, gz *geo.Gazetteer) (Place, error) {
	mp, ok := gz.Admin1Geometry(code)
	if !ok || len(mp) == 0 {
		return Place{}, truce.Invalid("place.admin1", "unknown admin-1 unit %q", code)
	}
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
	return Place{Kind: PlaceAdmin1, Admin1: code, Lat: lat, Lon: lon, RadiusKm: r*1.01 + 1}, nil
}

func occurrenceText(o truce.Occurrence, from, to time.Time) string {
	if o.Date == "" {
		const f = "2006-01-02 15:04"
		return fmt.Sprintf("%s–%s UTC", from.UTC().Format(f), to.UTC().Format(f))
	}
	loc, err := truce.LoadZone(o.TZ)
	if err != nil {
		loc = time.UTC
	}
	const day = "2006-01-02"
	first, last := from.In(loc).Format(day), to.In(loc).Add(-time.Nanosecond).Format(day)
	if first == last {
		return fmt.Sprintf("%s (%s)", first, o.TZ)
	}
	return fmt.Sprintf("%s–%s (%s)", first, last, o.TZ)
}

// prefixed puts a field prefix on an *truce.Error's field.
func prefixed(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*truce.Error); ok {
		c := *e
		if c.Field == "" {
			c.Field = prefix
		} else {
			c.Field = prefix + "." + c.Field
		}
		return &c
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

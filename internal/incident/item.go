package incident

import (
	"math"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
)

// Item is what grouping reads of a report: when, where, what kind of act,
// and who told it.
type Item struct {
	ID     int64
	T0, T1 int64 // the occurrence [T0, T1), microseconds since the epoch; T0 = T1 is an instant
	// The place: a point with its uncertainty radius, or for a report
	// given by admin-1 unit the disk that covers the unit.
	Lat, Lon, RadiusKm float64
	Admin1             string // the unit of a report placed by unit alone, upper case
	Domains            uint8  // DomainMask of the report's domains
	Hostile            bool
	// Dataset names the dataset of a dataset row ("UCDP GED"): a dataset
	// codes each event once, so two rows of one dataset never describe
	// the same incident.
	Dataset string
	Source  string // SourceKey of the report: reports with one key are one source
	// Key is the report's own name, its submitter and external id ("" if
	// it has none), to break exact ties without the arrival order.
	Key string

	placed  bool // false for a unit the gazetteer does not know
	x, y, z float64
}

// Domain bits of Item.Domains.
const (
	domainLand uint8 = 1 << iota
	domainAir
	domainSea
)

// DomainMask returns the bits of the domains named.
func DomainMask(ds []string) uint8 {
	var m uint8
	for _, d := range ds {
		switch d {
		case truce.DomainLand:
			m |= domainLand
		case truce.DomainAir:
			m |= domainAir
		case truce.DomainSea:
			m |= domainSea
		}
	}
	return m
}

// SourceKey names the source of a report for counting independent
// sources: every report from one party is one source (whatever office or
// outlet of the party wrote it), and otherwise reports from one outlet of
// one kind are ("media:kyiv independent", "dataset:ucdp ged"). Names
// compare case- and space-insensitively.
func SourceKey(s truce.ReportSource) string {
	if p := strings.TrimSpace(s.Party); p != "" {
		return "party:" + strings.ToUpper(p)
	}
	return s.Kind + ":" + strings.Join(strings.Fields(strings.ToLower(s.Name)), " ")
}

// Item returns the grouping view of a report whose occurrence is the
// interval [from, to) (the store keeps it resolved; see ItemOf).
func (g *Grouper) Item(r truce.Report, from, to time.Time) Item {
	it := Item{
		ID: r.ID, T0: from.UnixMicro(), T1: to.UnixMicro(),
		Domains: DomainMask(r.Domains), Hostile: !r.NotHostile,
		Source: SourceKey(r.Source),
	}
	if r.ExternalID != "" {
		it.Key = r.SubmittedBy + "\x1f" + r.ExternalID
	}
	if r.Source.Kind == truce.SourceDataset {
		it.Dataset = strings.Join(strings.Fields(strings.ToLower(r.Source.Name)), " ")
	}
	switch p := r.Place; {
	case p.Admin1 != "":
		it.Admin1 = strings.ToUpper(p.Admin1)
		if u, ok := g.units[it.Admin1]; ok {
			it.Lat, it.Lon, it.RadiusKm, it.placed = u.lat, u.lon, u.radiusKm, true
		}
	case p.Lat != nil && p.Lon != nil:
		it.Lat, it.Lon, it.placed = *p.Lat, *p.Lon, true
		if p.RadiusKm != nil {
			it.RadiusKm = *p.RadiusKm
		}
	}
	it.setVec()
	return it
}

// ItemOf returns the grouping view of a report, resolving its occurrence.
// It returns EINVALID for an occurrence that does not resolve.
func (g *Grouper) ItemOf(r truce.Report) (Item, error) {
	from, to, err := r.Occurred.Interval()
	if err != nil {
		return Item{}, err
	}
	return g.Item(r, from, to), nil
}

// NewPointItem returns an item placed by point, for callers that build
// items without a report (benchmarks, tests).
func NewPointItem(id int64, from, to time.Time, lat, lon, radiusKm float64, domains uint8, source string) Item {
	it := Item{ID: id, T0: from.UnixMicro(), T1: to.UnixMicro(), Lat: lat, Lon: lon, RadiusKm: radiusKm,
		Domains: domains, Hostile: true, Source: source, placed: true}
	it.setVec()
	return it
}

func (it *Item) setVec() {
	φ, λ := it.Lat*math.Pi/180, it.Lon*math.Pi/180
	c := math.Cos(φ)
	it.x, it.y, it.z = c*math.Cos(λ), c*math.Sin(λ), math.Sin(φ)
}

// distanceKm is the great-circle distance between two items' centres,
// from their unit vectors: the chord gives the angle without the
// trigonometry of the haversine, and it is the one distance grouping,
// ranking and explanations use, so that they can never disagree.
func distanceKm(a, b *Item) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return 2 * geo.EarthRadiusKm * math.Asin(min(1, math.Sqrt(dx*dx+dy*dy+dz*dz)/2))
}

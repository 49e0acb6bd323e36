package truce

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Source kinds of a report.
const (
	SourceParty   = "party"
	SourceMonitor = "monitor"
	SourceMedia   = "media"
	SourceSensor  = "sensor"
	SourceDataset = "dataset"
)

// SourceKinds lists the valid source kinds.
var SourceKinds = []string{SourceParty, SourceMonitor, SourceMedia, SourceSensor, SourceDataset}

// ReportTargets are the targets a report may name.
var ReportTargets = []string{"energy", "civilian", "military", "infrastructure"}

// MeansKinds are the kinds of weapon a report may count.
var MeansKinds = []string{"aerial_drone", "sea_drone", "missile", "artillery", "mlrs", "aircraft", "glide_bomb", "small_arms", "armour", "other"}

// Limits of the report contract.
const (
	MaxReportSpan         = 366 * 24 * time.Hour
	MaxRadiusKm           = 1000
	MaxDescription        = 10000
	MaxEvidence           = 50
	MaxSourceName         = 200
	MaxReportBodyBytes    = 1 << 20
	DefaultReportLanguage = "en"
)

// Report is one account of one incident, as in contracts/REPORTS.md.
// The server fields are set when the report is accepted.
type Report struct {
	ID           int64        `json:"id,omitempty"`
	ExternalID   string       `json:"external_id,omitempty"`
	Source       ReportSource `json:"source"`
	Occurred     Occurrence   `json:"occurred"`
	Place        Place        `json:"place"`
	Domains      []string     `json:"domains"`
	Targets      []string     `json:"targets,omitempty"`
	Means        []Means      `json:"means,omitempty"`
	Perpetrators []string     `json:"perpetrators,omitempty"`
	Description  string       `json:"description"`
	Language     string       `json:"language,omitempty"`
	Evidence     []Evidence   `json:"evidence,omitempty"`

	// Extensions, set by importers of conflict-event datasets.
	EventType    string `json:"event_type,omitempty"`     // e.g. ACLED event_type, UCDP type_of_violence
	SubEventType string `json:"sub_event_type,omitempty"` // e.g. ACLED sub_event_type
	Country      string `json:"country,omitempty"`        // the dataset's country name
	NotHostile   bool   `json:"not_hostile,omitempty"`    // a protest, an agreement: recorded, never a breach
	Illustrative bool   `json:"illustrative,omitempty"`   // not a fact of the public record

	// Server fields.
	ReceivedAt  time.Time `json:"received_at,omitzero"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	IncidentID  *int64    `json:"incident_id,omitempty"`
	LogIndex    *int64    `json:"log_index,omitempty"`
}

// ReportSource says who gave an account. Party is the party code the
// source speaks for, set by the server for liaisons.
type ReportSource struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	URL   string `json:"url,omitempty"`
	Party string `json:"party,omitempty"`
}

// Occurrence is when an incident happened: either an interval of instants
// (From, To) or a local date with a precision in a zone.
type Occurrence struct {
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	Date      string     `json:"date,omitempty"`
	Precision string     `json:"precision,omitempty"` // day, week, month
	TZ        string     `json:"tz,omitempty"`
}

// Place is where an incident happened: a point with an uncertainty radius,
// or an admin-1 unit.
type Place struct {
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	RadiusKm *float64 `json:"radius_km,omitempty"`
	Admin1   string   `json:"admin1,omitempty"`
}

// Means counts the weapons a report names ("524 aerial drones").
type Means struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// Evidence is an attached item, known by the SHA-256 of its bytes.
type Evidence struct {
	SHA256    string `json:"sha256"`
	URL       string `json:"url,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

var (
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
	bcp47     = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)
	admin1ISO = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)
)

// Validate checks r against the report contract. The admin-1 code is only
// checked for form here; the gazetteer knows which units exist.
func (r Report) Validate() error {
	if len(r.ExternalID) > 200 {
		return Invalid("external_id", "longer than 200 characters")
	}
	if !slices.Contains(SourceKinds, r.Source.Kind) {
		if r.Source.Kind == "" {
			return Invalid("source.kind", "required")
		}
		return Invalid("source.kind", "unknown source kind %q (party, monitor, media, sensor, dataset)", r.Source.Kind)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Source.Name)); n == 0 || n > MaxSourceName {
		return Invalid("source.name", "required, 1-200 characters")
	}
	if _, _, err := r.Occurred.Interval(); err != nil {
		return prefixField("occurred", err)
	}
	if err := r.Place.Validate(); err != nil {
		return prefixField("place", err)
	}
	if err := validateDomains(r.Domains); err != nil {
		return err
	}
	for i, t := range r.Targets {
		if !slices.Contains(ReportTargets, t) {
			return Invalid(indexed("targets", i), "unknown target %q (energy, civilian, military, infrastructure)", t)
		}
	}
	for i, m := range r.Means {
		if !slices.Contains(MeansKinds, m.Kind) {
			return Invalid(indexed("means", i)+".kind", "unknown means %q", m.Kind)
		}
		if m.Count < 1 {
			return Invalid(indexed("means", i)+".count", "must be at least 1")
		}
	}
	for i, p := range r.Perpetrators {
		if strings.TrimSpace(p) == "" || len(p) > 200 {
			return Invalid(indexed("perpetrators", i), "empty or longer than 200 characters")
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Description)); n == 0 || n > MaxDescription {
		return Invalid("description", "required, 1-10,000 characters")
	}
	if r.Language != "" && !bcp47.MatchString(r.Language) {
		return Invalid("language", "%q is not a BCP 47 language tag", r.Language)
	}
	if len(r.Evidence) > MaxEvidence {
		return Invalid("evidence", "more than %d items", MaxEvidence)
	}
	for i, e := range r.Evidence {
		if !sha256Hex.MatchString(e.SHA256) {
			return Invalid(indexed("evidence", i)+".sha256", "must be 64 lower-case hex digits")
		}
	}
	return nil
}

// Interval returns the occurrence as instants [from, to). A dated
// occurrence covers its local day, the seven local days centred on it
// (week) or its calendar month.
func (o Occurrence) Interval() (from, to time.Time, err error) {
	instants := o.From != nil || o.To != nil
	dated := o.Date != "" || o.Precision != "" || o.TZ != ""
	switch {
	case instants && dated:
		return from, to, Invalid("", `give either "from" and "to", or "date", "precision" and "tz"`)
	case instants:
		if o.From == nil {
			return from, to, Invalid("from", "required")
		}
		if o.To == nil {
			return from, to, Invalid("to", "required")
		}
		if o.To.Before(*o.From) {
			return from, to, Invalid("to", "is before from")
		}
		if o.To.Sub(*o.From) > MaxReportSpan {
			return from, to, Invalid("to", "span longer than 366 days")
		}
		return o.From.UTC(), o.To.UTC(), nil
	case dated:
		return o.dateInterval()
	}
	return from, to, Invalid("", `required: "from" and "to", or "date", "precision" and "tz"`)
}

func (o Occurrence) dateInterval() (from, to time.Time, err error) {
	day, err := time.Parse("2006-01-02", o.Date)
	if err != nil {
		return from, to, Invalid("date", "%q is not a date YYYY-MM-DD", o.Date)
	}
	if o.TZ == "" {
		return from, to, Invalid("tz", "required with date")
	}
	loc, err := LoadZone(o.TZ)
	if err != nil {
		return from, to, Invalid("tz", "unknown time zone %q", o.TZ)
	}
	first, last := day, day
	switch o.Precision {
	case "day":
	case "week":
		first, last = day.AddDate(0, 0, -3), day.AddDate(0, 0, 3)
	case "month":
		first = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		last = first.AddDate(0, 1, -1)
	case "":
		return from, to, Invalid("precision", "required with date (day, week, month)")
	default:
		return from, to, Invalid("precision", "unknown precision %q (day, week, month)", o.Precision)
	}
	return LocalDays(first, last, loc)
}

// LocalDays returns the instants from the start of local day first to the
// start of the local day after last, both dates given as UTC midnights.
func LocalDays(first, last time.Time, loc *time.Location) (from, to time.Time, err error) {
	from, err = LocalInstant(first, loc)
	if err != nil {
		return from, to, err
	}
	to, err = LocalInstant(last.AddDate(0, 0, 1), loc)
	return from, to, err
}

// Validate checks that exactly one of a point with radius or an admin-1
// unit is given, within range.
func (p Place) Validate() error {
	point := p.Lat != nil || p.Lon != nil || p.RadiusKm != nil
	switch {
	case point && p.Admin1 != "":
		return Invalid("", `give either "lat", "lon" and "radius_km", or "admin1"`)
	case p.Admin1 != "":
		if !admin1ISO.MatchString(p.Admin1) {
			return Invalid("admin1", "%q is not an ISO 3166-2 code", p.Admin1)
		}
		return nil
	case !point:
		return Invalid("", `required: "lat", "lon" and "radius_km", or "admin1"`)
	case p.Lat == nil:
		return Invalid("lat", "required")
	case p.Lon == nil:
		return Invalid("lon", "required")
	case p.RadiusKm == nil:
		return Invalid("radius_km", "required")
	case !(*p.Lat >= -90 && *p.Lat <= 90):
		return Invalid("lat", "%v is outside -90..90", *p.Lat)
	case !(*p.Lon >= -180 && *p.Lon <= 180):
		return Invalid("lon", "%v is outside -180..180", *p.Lon)
	case !(*p.RadiusKm >= 0 && *p.RadiusKm <= MaxRadiusKm):
		return Invalid("radius_km", "%v is outside 0..1000", *p.RadiusKm)
	}
	return nil
}

// Point returns a place at lat, lon with radius r km.
func Point(lat, lon, r float64) Place { return Place{Lat: &lat, Lon: &lon, RadiusKm: &r} }

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// newReport is a validated, normalized report on its way in, with its
// occurrence resolved to an interval for the time filter.
type newReport struct {
	r      truce.Report
	t0, t1 int64
}

// normReport validates r and returns it as it will be stored, without
// the fields the store assigns (ID, ReceivedAt, IncidentID, LogIndex).
// zones may be nil.
func normReport(r truce.Report, zones *zoneCache) (newReport, error) {
	r.ID, r.ReceivedAt, r.IncidentID, r.LogIndex = 0, time.Time{}, nil, nil
	if strings.TrimSpace(r.SubmittedBy) == "" {
		return newReport{}, truce.Invalid("submitted_by", "required")
	}
	if r.Language == "" {
		r.Language = truce.DefaultReportLanguage
	}
	r.Occurred.From, r.Occurred.To = normTimePtr(r.Occurred.From), normTimePtr(r.Occurred.To)
	r.Place.Lat, r.Place.Lon, r.Place.RadiusKm = normFloatPtr(r.Place.Lat), normFloatPtr(r.Place.Lon), normFloatPtr(r.Place.RadiusKm)
	r.Targets, r.Perpetrators = normStrings(r.Targets), normStrings(r.Perpetrators)
	if len(r.Means) == 0 {
		r.Means = nil
	}
	if len(r.Evidence) == 0 {
		r.Evidence = nil
	}
	if zones == nil {
		zones = &zoneCache{}
	}
	from, to, err := zones.interval(r.Occurred)
	if err != nil {
		return newReport{}, prefixField("occurred", err)
	}
	// The rest is validated with the occurrence as the instants it
	// resolved to, so that its zone is not loaded again.
	v := r
	v.Occurred = truce.Occurrence{From: &from, To: &to}
	if err := v.Validate(); err != nil {
		return newReport{}, err
	}
	if err := checkTime("occurred.from", from); err != nil {
		return newReport{}, err
	}
	if err := checkTime("occurred.to", to); err != nil {
		return newReport{}, err
	}
	err = checkTexts("external_id", r.ExternalID, "submitted_by", r.SubmittedBy,
		"source.name", r.Source.Name, "source.url", r.Source.URL, "source.party", r.Source.Party,
		"occurred.tz", r.Occurred.TZ, "description", r.Description,
		"event_type", r.EventType, "sub_event_type", r.SubEventType, "country", r.Country)
	if err != nil {
		return newReport{}, err
	}
	if err := checkList("perpetrators", r.Perpetrators); err != nil {
		return newReport{}, err
	}
	for i, e := range r.Evidence {
		if err := checkTexts(fmt.Sprintf("evidence[%d].url", i), e.URL, fmt.Sprintf("evidence[%d].media_type", i), e.MediaType); err != nil {
			return newReport{}, err
		}
	}
	return newReport{r: r, t0: micros(from), t1: micros(to)}, nil
}

// leafReport is the record a report's leaf holds: the report as stored,
// without the fields that change after it was accepted (its incident)
// or that point at the leaf itself.
func leafReport(r truce.Report) truce.Report {
	r.IncidentID, r.LogIndex = nil, nil
	return r
}

// ReportFilter selects reports. Zero fields select everything.
type ReportFilter struct {
	From, To    time.Time   // the report's occurrence overlaps [From, To)
	BBox        *[4]float64 // west, south, east, north (GeoJSON order); only reports with a point; west > east crosses the antimeridian
	Party       string      // among the perpetrators, exactly as written
	Accused     string      // a party code: a perpetrator names it by code, name or alias (as IncidentFilter.Party)
	SourceKind  string
	SubmittedBy string
	IncidentID  int64
	Text        string // in the description, case-insensitive (ASCII only on SQLite)
	AfterID     int64  // for paging: reports with a larger id
	Limit       int    // at most this many; 0 means no limit
}

const reportCols = `id, submitted_by, external_id, received_at_us, source_kind, source_name, source_url, source_party,
	occ_from_us, occ_to_us, occ_date, occ_precision, occ_tz, t0_us, t1_us, lat, lon, radius_km, admin1,
	domains, targets, means, perpetrators, description, language, evidence,
	event_type, sub_event_type, country, not_hostile, illustrative, incident_id, log_index`

var reportColList = strings.Split(strings.Join(strings.Fields(reportCols), ""), ",")

// Report returns one report, or ENOTFOUND.
func (db *DB) Report(ctx context.Context, id int64) (truce.Report, error) {
	return db.report(ctx, db.ro, "WHERE id = ?", id)
}

func (db *DB) report(ctx context.Context, q querier, where string, args ...any) (truce.Report, error) {
	rs, err := db.reports(ctx, q, "SELECT "+reportCols+" FROM reports "+where, args...)
	if err != nil {
		return truce.Report{}, err
	}
	if len(rs) == 0 {
		return truce.Report{}, truce.Errorf(truce.ENOTFOUND, "report not found")
	}
	return rs[0], nil
}

// Reports returns the reports that match f, by id.
func (db *DB) Reports(ctx context.Context, f ReportFilter) ([]truce.Report, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		// Half-open intervals overlap when each starts before the other
		// ends; a report of an instant (t0 = t1) counts where it falls.
		add("(t1_us > ? OR t0_us >= ?)", micros(f.From), micros(f.From))
	}
	if !f.To.IsZero() {
		add("t0_us < ?", micros(f.To))
	}
	if f.BBox != nil {
		addBBox(add, *f.BBox)
	}
	if f.Party != "" {
		add("id IN (SELECT report_id FROM report_perpetrators WHERE party = ?)", f.Party)
	}
	if f.Accused != "" {
		names, err := db.actorNames(ctx, f.Accused)
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, nil
		}
		a := make([]any, len(names))
		for i, n := range names {
			a[i] = n
		}
		add("id IN (SELECT report_id FROM report_perpetrators WHERE party IN ("+placeholders(len(names))+"))", a...)
	}
	if f.SourceKind != "" {
		add("source_kind = ?", f.SourceKind)
	}
	if f.SubmittedBy != "" {
		add("submitted_by = ?", f.SubmittedBy)
	}
	if f.IncidentID != 0 {
		add("incident_id = ?", f.IncidentID)
	}
	if f.Text != "" {
		add(`LOWER(description) LIKE LOWER(?) ESCAPE '\'`, "%"+likeEscaper.Replace(f.Text)+"%")
	}
	if f.AfterID != 0 {
		add("id > ?", f.AfterID)
	}
	q := "SELECT " + reportCols + " FROM reports"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	return db.reports(ctx, db.ro, q, args...)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// CountReports returns the number of stored reports.
func (db *DB) CountReports(ctx context.Context) (int64, error) {
	var n int64
	if err := db.queryRow(ctx, db.ro, "SELECT COUNT(*) FROM reports").Scan(&n); err != nil {
		return 0, fmt.Errorf("count reports: %w", err)
	}
	return n, nil
}

func (db *DB) reports(ctx context.Context, q querier, query string, args ...any) ([]truce.Report, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	defer rows.Close()
	var out []truce.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return out, nil
}

func scanReport(rows *sql.Rows) (truce.Report, error) {
	var (
		r                                            truce.Report
		externalID                                   sql.NullString
		receivedAt, t0, t1                           int64
		from, to, incident                           sql.NullInt64
		lat, lon, radius                             sql.NullFloat64
		domains, targets, means, perpetrators, evids []byte
		logIndex                                     int64
	)
	err := rows.Scan(&r.ID, &r.SubmittedBy, &externalID, &receivedAt, &r.Source.Kind, &r.Source.Name, &r.Source.URL, &r.Source.Party,
		&from, &to, &r.Occurred.Date, &r.Occurred.Precision, &r.Occurred.TZ, &t0, &t1, &lat, &lon, &radius, &r.Place.Admin1,
		&domains, &targets, &means, &perpetrators, &r.Description, &r.Language, &evids,
		&r.EventType, &r.SubEventType, &r.Country, &r.NotHostile, &r.Illustrative, &incident, &logIndex)
	if err != nil {
		return r, err
	}
	r.ExternalID = externalID.String
	r.ReceivedAt = fromMicros(receivedAt)
	r.Occurred.From, r.Occurred.To = fromMicrosPtr(from), fromMicrosPtr(to)
	r.Place.Lat, r.Place.Lon, r.Place.RadiusKm = floatPtr(lat), floatPtr(lon), floatPtr(radius)
	if incident.Valid {
		r.IncidentID = &incident.Int64
	}
	r.LogIndex = &logIndex
	for _, l := range []struct {
		b   []byte
		dst any
	}{{domains, &r.Domains}, {targets, &r.Targets}, {perpetrators, &r.Perpetrators}} {
		if err := scanList(l.b, l.dst.(*[]string)); err != nil {
			return r, fmt.Errorf("report %d: %w", r.ID, err)
		}
	}
	if err := scanList(means, &r.Means); err != nil {
		return r, fmt.Errorf("report %d: means: %w", r.ID, err)
	}
	if err := scanList(evids, &r.Evidence); err != nil {
		return r, fmt.Errorf("report %d: evidence: %w", r.ID, err)
	}
	return r, nil
}

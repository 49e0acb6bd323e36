package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// groupRow is a report as grouping reads it, with its incident (0 when it
// is in none yet).
type groupRow struct {
	item     incident.Item
	incident int64
}

const groupCols = `id, t0_us, t1_us, lat, lon, radius_km, admin1, domains, not_hostile, source_kind, source_name, source_party,
	submitted_by, external_id, incident_id`

// groupRows reads reports for grouping: only the columns grouping needs,
// since a full regroup reads every report.
func (t *tx) groupRows(ctx context.Context, g *incident.Grouper, where string, args ...any) ([]groupRow, error) {
	rows, err := t.query(ctx, "SELECT "+groupCols+" FROM reports "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("group reports: %w", err)
	}
	defer rows.Close()
	var out []groupRow
	for rows.Next() {
		var (
			r                truce.Report
			t0, t1           int64
			lat, lon, radius sql.NullFloat64
			domains          []byte
			ext              sql.NullString
			inc              sql.NullInt64
		)
		err := rows.Scan(&r.ID, &t0, &t1, &lat, &lon, &radius, &r.Place.Admin1, &domains, &r.NotHostile,
			&r.Source.Kind, &r.Source.Name, &r.Source.Party, &r.SubmittedBy, &ext, &inc)
		if err != nil {
			return nil, fmt.Errorf("group reports: %w", err)
		}
		r.Place.Lat, r.Place.Lon, r.Place.RadiusKm = floatPtr(lat), floatPtr(lon), floatPtr(radius)
		r.ExternalID = ext.String
		// The domains column is a JSON list of known words: a substring
		// test reads it without decoding a million small arrays.
		for _, d := range truce.Domains {
			if strings.Contains(string(domains), `"`+d+`"`) {
				r.Domains = append(r.Domains, d)
			}
		}
		out = append(out, groupRow{item: g.Item(r, fromMicros(t0), fromMicros(t1)), incident: inc.Int64})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("group reports: %w", err)
	}
	return out, nil
}

// groupRowsIn reads the reports whose column col is one of ids.
func (t *tx) groupRowsIn(ctx context.Context, g *incident.Grouper, col string, ids []int64) ([]groupRow, error) {
	var out []groupRow
	for chunk := range slices.Chunk(ids, 500) {
		rs, err := t.groupRows(ctx, g, "WHERE "+col+" IN ("+placeholders(len(chunk))+") ORDER BY id", int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// memberReports reads what an incident's summary needs of its reports:
// domains, targets, perpetrators, the start of the description, and
// whether each is a hostile act.
func (t *tx) memberReports(ctx context.Context, ids []int64) (map[int64]truce.Report, error) {
	out := make(map[int64]truce.Report, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := t.query(ctx, `SELECT id, domains, targets, perpetrators, SUBSTR(description, 1, 160), not_hostile
			FROM reports WHERE id IN (`+placeholders(len(chunk))+")", int64Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("incident reports: %w", err)
		}
		for rows.Next() {
			var r truce.Report
			var domains, targets, perps []byte
			if err := rows.Scan(&r.ID, &domains, &targets, &perps, &r.Description, &r.NotHostile); err != nil {
				rows.Close()
				return nil, fmt.Errorf("incident reports: %w", err)
			}
			for _, l := range []struct {
				b   []byte
				dst *[]string
			}{{domains, &r.Domains}, {targets, &r.Targets}, {perps, &r.Perpetrators}} {
				if err := scanList(l.b, l.dst); err != nil {
					rows.Close()
					return nil, fmt.Errorf("report %d: %w", r.ID, err)
				}
			}
			out[r.ID] = r
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("incident reports: %w", err)
		}
	}
	return out, nil
}

// decisions reads every split and merge, in the order they were taken.
func (t *tx) decisions(ctx context.Context) ([]incident.Decision, error) {
	rows, err := t.query(ctx, "SELECT id, kind, by_user, reason, report_id, at_us FROM groupings WHERE kind IN (?, ?) ORDER BY id",
		incident.DecisionSplit, incident.DecisionMerge)
	if err != nil {
		return nil, fmt.Errorf("grouping decisions: %w", err)
	}
	var ds []incident.Decision
	index := map[int64]int{}
	for rows.Next() {
		var d incident.Decision
		var report sql.NullInt64
		var at int64
		if err := rows.Scan(&d.ID, &d.Kind, &d.By, &d.Reason, &report, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("grouping decisions: %w", err)
		}
		d.Report, d.At = report.Int64, fromMicros(at)
		index[d.ID] = len(ds)
		ds = append(ds, d)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("grouping decisions: %w", err)
	}
	if len(ds) == 0 {
		return nil, nil
	}
	rows, err = t.query(ctx, "SELECT grouping_id, report_id FROM grouping_reports ORDER BY grouping_id, report_id")
	if err != nil {
		return nil, fmt.Errorf("grouping decisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var gid, rid int64
		if err := rows.Scan(&gid, &rid); err != nil {
			return nil, fmt.Errorf("grouping decisions: %w", err)
		}
		if i, ok := index[gid]; ok {
			ds[i].Reports = append(ds[i].Reports, rid)
		}
	}
	return ds, rows.Err()
}

// readSpan is what was read of the grouped reports for a span of time:
// every report in an incident whose interval meets [lo, hi].
type readSpan struct {
	lo, hi int64
	rows   []groupRow
}

// fixedFor reads the reports outside the reports being grouped that
// these may attach to or are kept apart from: the precise reports whose
// time reaches an attaching report's, and the reports splits name. What
// known (may be nil) holds is not read again.
func (t *tx) fixedFor(ctx context.Context, g *incident.Grouper, cons *incident.Constraints, m []groupRow, inM map[int64]bool, known *readSpan) ([]incident.Fixed, error) {
	rules := g.Rules()
	tolT := rules.TimeTolerance.Microseconds()
	var windows [][2]int64
	var partners []int64
	for i := range m {
		it := &m[i].item
		if !g.Core(it, cons) {
			windows = append(windows, [2]int64{it.T0 - tolT, it.T1 + tolT})
		}
		for _, p := range cons.Partners(it.ID) {
			if !inM[p] {
				partners = append(partners, p)
			}
		}
	}
	slices.SortFunc(windows, func(a, b [2]int64) int { return cmpInt64(a[0], b[0]) })
	var merged [][2]int64
	for _, w := range windows {
		if n := len(merged); n > 0 && w[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], w[1])
			continue
		}
		merged = append(merged, w)
	}
	seen := map[int64]bool{}
	var out []incident.Fixed
	keep := func(rs []groupRow) {
		for _, r := range rs {
			if !inM[r.item.ID] && !seen[r.item.ID] && r.incident != 0 {
				seen[r.item.ID] = true
				out = append(out, incident.Fixed{Item: r.item, Incident: r.incident})
			}
		}
	}
	for _, w := range merged {
		if known != nil && w[0] >= known.lo && w[1] <= known.hi {
			var rs []groupRow
			for _, r := range known.rows {
				if r.item.T1 >= w[0] && r.item.T0 <= w[1] {
					rs = append(rs, r)
				}
			}
			keep(rs)
			continue
		}
		rs, err := t.groupRows(ctx, g, `WHERE incident_id IS NOT NULL AND t1_us >= ? AND t0_us <= ? AND t1_us - t0_us <= ?
			AND (radius_km <= ? OR lat IS NULL)`, w[0], w[1], rules.PreciseSpan.Microseconds(), rules.PreciseRadiusKm)
		if err != nil {
			return nil, err
		}
		keep(rs)
	}
	slices.Sort(partners)
	rs, err := t.groupRowsIn(ctx, g, "id", slices.Compact(partners))
	if err != nil {
		return nil, err
	}
	keep(rs)
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sensorObservations reads the observations that may corroborate an
// incident (see incident.Grouper.SensorWindow): fires in the box and the
// widened interval, alerts over its unit during it.
func (t *tx) sensorObservations(ctx context.Context, g *incident.Grouper, s incident.Summary) ([]truce.Observation, error) {
	from, to, b := g.SensorWindow(s)
	q := `SELECT id, kind, source, external_id, from_us, to_us, lat, lon, radius_km, admin1, region, confidence, attributes
		FROM observations WHERE (kind = ? AND to_us >= ? AND from_us <= ? AND lat >= ? AND lat <= ?`
	args := []any{truce.ObservationFire, micros(from), micros(to), b[1], b[3]}
	if b[0] >= -180 && b[2] <= 180 {
		q += " AND lon >= ? AND lon <= ?"
		args = append(args, b[0], b[2])
	}
	q += ") OR (kind = ? AND admin1 = ? AND from_us < ? AND to_us >= ?) ORDER BY id"
	args = append(args, truce.ObservationAlert, s.Admin1, micros(s.To.Add(time.Microsecond)), micros(s.From))
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sensor observations: %w", err)
	}
	defer rows.Close()
	var out []truce.Observation
	for rows.Next() {
		var o truce.Observation
		var from, to int64
		var lat, lon sql.NullFloat64
		err := rows.Scan(&o.ID, &o.Kind, &o.Source, &o.ExternalID, &from, &to, &lat, &lon, &o.RadiusKm,
			&o.Admin1, &o.Region, &o.Confidence, &o.Attributes)
		if err != nil {
			return nil, fmt.Errorf("sensor observations: %w", err)
		}
		o.From, o.To = fromMicros(from), fromMicros(to)
		o.Lat, o.Lon = floatPtr(lat), floatPtr(lon)
		out = append(out, o)
	}
	return out, rows.Err()
}

// anyObservations reports whether some observation falls in [from, to]:
// when none does, no incident needs its own query.
func (t *tx) anyObservations(ctx context.Context, from, to time.Time) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM observations WHERE to_us >= ? AND from_us <= ? LIMIT 1) o", micros(from), micros(to)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("observations: %w", err)
	}
	return n > 0, nil
}

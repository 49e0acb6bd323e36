package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// The incident list filtered by time or box on SQLite reads the R*Tree of
// migration 0011_incident_rtree: live incidents by id, centre (lon, lat)
// and interval. The page is ordered by id, and a busy window holds a
// hundred thousand incidents: listing them all to keep the lowest hundred
// is what made the list slow (bench/api/RESULTS.md). With id as a
// dimension of the tree, windowIDs instead asks for the matches of an id
// range, cut off after twice the page: a range that overflows is cut to
// the page-th lowest id it gave (at most half of it), one that holds
// fewer than the page is kept and the search goes on past it. Each probe
// reads only the tree's nodes that meet its range, box and window, so the
// cost follows the page more than the window.

// windowIDs returns the ids of the incidents that match f, ascending, at
// most f.Limit of them (all when 0), through q (a read transaction: every
// probe sees one snapshot).
func (db *DB) windowIDs(ctx context.Context, q *sql.Tx, f IncidentFilter) ([]int64, error) {
	p, none, err := db.newWindowProbe(ctx, f)
	if err != nil || none {
		return nil, err
	}
	var top int64
	if err := db.queryRow(ctx, q, "SELECT COALESCE(MAX(id), 0) FROM incidents").Scan(&top); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	lo := f.AfterID + 1
	if lo > top {
		return nil, nil
	}
	// Prepared once: parsing the probe each time cost more than most
	// probes.
	if p.stmt, err = q.PrepareContext(ctx, p.sql+" LIMIT ?"); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer p.stmt.Close()
	if f.Limit <= 0 {
		ids, err := p.run(ctx, lo, top, -1)
		slices.Sort(ids)
		return ids, err
	}
	var out []int64
	// bad is an upper end known to hold more than twice the ids still
	// wanted from lo (top+1: none known yet).
	hi, bad := top, top+1
	for {
		want := f.Limit - len(out)
		ids, err := p.run(ctx, lo, hi, 2*want+1)
		if err != nil {
			return nil, err
		}
		if len(ids) > 2*want {
			// [lo, hi] holds too many. The want-th lowest of those read
			// bounds a range that holds enough, which the next probe
			// then reads whole or cuts further; at most half of this
			// one, so that a range of one id (one incident at most)
			// ends the search.
			slices.Sort(ids)
			bad = hi
			hi = min(ids[want-1], lo+(hi-lo)/2)
			continue
		}
		slices.Sort(ids)
		if len(ids) >= want || hi >= top {
			return append(out, ids[:min(want, len(ids))]...), nil
		}
		// All of [lo, hi] is read and short of a page: what is left
		// of the page is beyond, and [hi+1, bad] still overflows.
		out = append(out, ids...)
		lo = hi + 1
		if bad > top {
			hi = top
		} else {
			hi = lo + (bad-lo)/2
		}
	}
}

// windowProbe is the query of one id range: the tree's boxes, which hold
// the exact values (rounded outwards to 32-bit floats), then the exact
// conditions on the tree's auxiliary columns, then those on the incidents
// table when f has any (status, party, agreement).
type windowProbe struct {
	sql  string // with the id range as the first four arguments
	args []any
	stmt *sql.Stmt // sql with a LIMIT, prepared
}

func (db *DB) newWindowProbe(ctx context.Context, f IncidentFilter) (windowProbe, bool, error) {
	conds, condArgs, none, err := db.incidentConds(ctx, f, "i.")
	if err != nil || none {
		return windowProbe{}, none, err
	}
	where := []string{"r.id_hi >= ? / 100000.0", "r.id_lo <= ? / 100000.0", "r.id >= ?", "r.id <= ?"}
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	// Each exact test is skipped (OR's first term) for an entry whose
	// rounded box alone settles it, as it does for all but the few near
	// the query's edges: an auxiliary column costs a lookup in the
	// tree's rowid table, the box is in the node at hand. The box holds
	// the exact value, and distinct microseconds stay distinct in
	// treeTime's double, so a box strictly inside a bound is inside it.
	if !f.From.IsZero() {
		from := treeTime(micros(f.From))
		add("r.t_hi >= ?", from)
		add("(r.t_lo > ? OR r.to_us > ? OR r.from_us >= ?)", from, micros(f.From), micros(f.From))
	}
	if !f.To.IsZero() {
		to := treeTime(micros(f.To))
		add("r.t_lo <= ?", to)
		add("(r.t_hi < ? OR r.from_us < ?)", to, micros(f.To))
	}
	if b := f.BBox; b != nil {
		add("r.lat_hi >= ? AND r.lat_lo <= ?", b[1], b[3])
		add("(r.lat_lo >= ? AND r.lat_hi <= ? OR r.lat >= ? AND r.lat <= ?)", b[1], b[3], b[1], b[3])
		if b[0] <= b[2] {
			add("r.lon_hi >= ? AND r.lon_lo <= ?", b[0], b[2])
			add("(r.lon_lo >= ? AND r.lon_hi <= ? OR r.lon >= ? AND r.lon <= ?)", b[0], b[2], b[0], b[2])
		} else { // across the antimeridian: the tree cannot read two ranges, the test can
			add("(r.lon >= ? OR r.lon <= ?)", b[0], b[2])
		}
	}
	from := "incidents_rtree r"
	if len(conds) > 0 {
		// CROSS JOIN keeps the tree outside (SQLite does not reorder
		// it): by status alone the planner would read every verified
		// incident and look each up in the tree.
		from += " CROSS JOIN incidents i ON i.id = r.id"
		where = append(where, conds...)
		args = append(args, condArgs...)
	}
	return windowProbe{sql: "SELECT r.id FROM " + from + " WHERE " + strings.Join(where, " AND "), args: args}, false, nil
}

// run returns the ids of [lo, hi] that match, in no order, at most limit
// of them (all when negative).
func (p windowProbe) run(ctx context.Context, lo, hi int64, limit int) ([]int64, error) {
	rows, err := p.stmt.QueryContext(ctx, append(append([]any{lo, hi, lo, hi}, p.args...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// treeTime is a time in microseconds as the tree holds it, in units of
// 30 days (migration 0011_incident_rtree), divided as SQLite divides.
func treeTime(us int64) float64 { return float64(us) / 2592000000000.0 }

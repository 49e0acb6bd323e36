package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
)

// GroupingSensors is a grouping written because observations arrived
// after the incidents near them were grouped: their corroboration worked
// out again (see CorroborateObservations).
const GroupingSensors = "sensors"

// sensorChunk bounds the incidents corroborated again in one transaction.
const sensorChunk = 500

// ObservationRange returns the ids of the observations an observation or
// observation_batch leaf logs (its record id); ok is false for any other
// leaf, or a record id that names no range.
func ObservationRange(kind, recordID string) (first, last int64, ok bool) {
	var err error
	switch kind {
	case ledger.KindObservation:
		first, err = parseID(recordID)
		last = first
	case KindObservationBatch:
		first, last, err = parseBatchID(recordID)
	default:
		return 0, 0, false
	}
	return first, last, err == nil
}

// CorroborateObservations works out again the corroboration of the
// incidents the observations with ids first..last may bear on, for
// observations that arrived after those incidents were grouped (grouping
// reads the observations already stored): hostile incidents whose sensor
// window (incident.Grouper.SensorWindow) meets the fires' time range and
// box, and those over an alerts' oblast during their time range. Each
// candidate is checked exactly as grouping checks it; an incident whose
// state (its score) changes gets a new version, logged in an
// incident_grouping leaf of kind "sensors" in the same transaction, and a
// breakdown that changed alone is stored as grouping stores it. The
// candidates are grouped again in transactions of 500 incidents, so a
// record that is consistent keeps its incidents. Call RecomputeFindings
// for the summary's Live incidents.
func (db *DB) CorroborateObservations(ctx context.Context, g *incident.Grouper, first, last int64) (GroupSummary, error) {
	var sum GroupSummary
	if first < 1 || last < first {
		return sum, truce.Invalid("observations", "bad id range %d–%d", first, last)
	}
	ids, err := db.sensorCandidates(ctx, g, first, last)
	if err != nil || len(ids) == 0 {
		return sum, err
	}
	reason := fmt.Sprintf("observations #%d–#%d arrived", first, last)
	if first == last {
		reason = fmt.Sprintf("observation #%d arrived", first)
	}
	for chunk := range slices.Chunk(ids, sensorChunk) {
		var s GroupSummary
		err := db.write(ctx, func(t *tx) error {
			ds, err := t.decisions(ctx)
			if err != nil {
				return err
			}
			s, err = t.regroup(ctx, g, ds, chunk, nil, nil, grouping{kind: GroupingSensors, by: incident.SystemUser, reason: reason})
			return err
		})
		if err != nil {
			return sum, err
		}
		sum.add(s)
	}
	return sum, nil
}

// sensorCandidates returns, sorted, the live hostile incidents whose
// sensor window may hold one of the observations first..last.
func (db *DB) sensorCandidates(ctx context.Context, g *incident.Grouper, first, last int64) ([]int64, error) {
	w := g.Rules().SensorWindow.Microseconds()
	var out []int64

	// Fires: their time range and box.
	var lo, hi sql.NullInt64
	var south, north, west, east sql.NullFloat64
	err := db.queryRow(ctx, db.ro, `SELECT MIN(from_us), MAX(to_us), MIN(lat), MAX(lat), MIN(lon), MAX(lon) FROM observations
		WHERE id >= ? AND id <= ? AND kind = ? AND lat IS NOT NULL AND lon IS NOT NULL`, first, last, truce.ObservationFire).
		Scan(&lo, &hi, &south, &north, &west, &east)
	if err != nil {
		return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	if lo.Valid {
		rows, err := db.query(ctx, db.ro, `SELECT id, from_us, to_us, lat, lon, radius_km FROM incidents
			WHERE merged_into IS NULL AND hostile = ? AND to_us >= ? AND from_us <= ?`, true, lo.Int64-w, hi.Int64+w)
		if err != nil {
			return nil, fmt.Errorf("incidents near fires: %w", err)
		}
		for rows.Next() {
			var id, from, to int64
			var s incident.Summary
			if err := rows.Scan(&id, &from, &to, &s.Lat, &s.Lon, &s.RadiusKm); err != nil {
				rows.Close()
				return nil, fmt.Errorf("incidents near fires: %w", err)
			}
			s.From, s.To = fromMicros(from), fromMicros(to)
			_, _, b := g.SensorWindow(s) // west, south, east, north
			if b[0] <= east.Float64 && b[2] >= west.Float64 && b[1] <= north.Float64 && b[3] >= south.Float64 {
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	// Alerts: each oblast's time range.
	type span struct {
		admin1 string
		lo, hi int64
	}
	rows, err := db.query(ctx, db.ro, `SELECT admin1, MIN(from_us), MAX(to_us) FROM observations
		WHERE id >= ? AND id <= ? AND kind = ? AND admin1 <> '' GROUP BY admin1 ORDER BY admin1`, first, last, truce.ObservationAlert)
	if err != nil {
		return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	var spans []span
	for rows.Next() {
		var s span
		if err := rows.Scan(&s.admin1, &s.lo, &s.hi); err != nil {
			rows.Close()
			return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
		}
		spans = append(spans, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, s := range spans {
		// An alert bears on an incident it was on during (see
		// sensorObservations).
		rows, err := db.query(ctx, db.ro, `SELECT id FROM incidents
			WHERE merged_into IS NULL AND hostile = ? AND admin1 = ? AND to_us >= ? AND from_us <= ?`, true, s.admin1, s.lo, s.hi)
		if err != nil {
			return nil, fmt.Errorf("incidents in %s: %w", s.admin1, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("incidents in %s: %w", s.admin1, err)
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
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
// sensor window holds one of the observations first..last: of the
// incidents in the fires' time range ± the sensor window, those with a
// fire in their box (incident.Grouper.SensorWindow) and window; of those
// over an alert's oblast in the alerts' time range, those with an alert
// on during them. It may return more than Corroborate counts (the box is
// wider than the disk), never fewer.
func (db *DB) sensorCandidates(ctx context.Context, g *incident.Grouper, first, last int64) ([]int64, error) {
	w := g.Rules().SensorWindow.Microseconds()
	var out []int64

	fires, lo, hi, err := db.newFireIndex(ctx, first, last)
	if err != nil {
		return nil, err
	}
	if fires != nil {
		rows, err := db.query(ctx, db.ro, `SELECT id, from_us, to_us, lat, lon, radius_km FROM incidents
			WHERE merged_into IS NULL AND hostile = ? AND to_us >= ? AND from_us <= ?`, true, lo-w, hi+w)
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
			_, _, b := g.SensorWindow(s)
			if fires.any(b, from-w, to+w) {
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	alerts, err := db.alertSpans(ctx, first, last)
	if err != nil {
		return nil, err
	}
	for _, unit := range slices.Sorted(maps.Keys(alerts)) {
		sp := alerts[unit]
		rows, err := db.query(ctx, db.ro, `SELECT id, from_us, to_us FROM incidents
			WHERE merged_into IS NULL AND hostile = ? AND admin1 = ? AND to_us >= ? AND from_us <= ?`, true, unit, sp.from[0], sp.maxTo[len(sp.maxTo)-1])
		if err != nil {
			return nil, fmt.Errorf("incidents in %s: %w", unit, err)
		}
		for rows.Next() {
			var id, from, to int64
			if err := rows.Scan(&id, &from, &to); err != nil {
				rows.Close()
				return nil, fmt.Errorf("incidents in %s: %w", unit, err)
			}
			if sp.onDuring(from, to) {
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// fireCell is the side of a fireIndex cell, in degrees.
const fireCell = 0.1

// maxFireCells bounds the cells one incident's box is checked in: a box
// larger than that (an incident placed by its oblast) is a candidate.
const maxFireCells = 2500

// fireIndex holds fires by 0.1° cell, to find which incidents' sensor
// windows hold one.
type fireIndex map[[2]int32][]fireAt

type fireAt struct {
	lat, lon float64
	from, to int64
}

func cellOf(deg float64) int32 { return int32(math.Floor(deg / fireCell)) }

// newFireIndex reads the fires with a place among the observations
// first..last and their time range; nil when there are none.
func (db *DB) newFireIndex(ctx context.Context, first, last int64) (fireIndex, int64, int64, error) {
	rows, err := db.query(ctx, db.ro, `SELECT from_us, to_us, lat, lon FROM observations
		WHERE id >= ? AND id <= ? AND kind = ? AND lat IS NOT NULL AND lon IS NOT NULL`, first, last, truce.ObservationFire)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	defer rows.Close()
	var idx fireIndex
	var lo, hi int64
	for rows.Next() {
		var f fireAt
		if err := rows.Scan(&f.from, &f.to, &f.lat, &f.lon); err != nil {
			return nil, 0, 0, fmt.Errorf("observations %d–%d: %w", first, last, err)
		}
		if idx == nil {
			idx, lo, hi = fireIndex{}, f.from, f.to
		}
		lo, hi = min(lo, f.from), max(hi, f.to)
		c := [2]int32{cellOf(f.lat), cellOf(f.lon)}
		idx[c] = append(idx[c], f)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	return idx, lo, hi, nil
}

// any reports whether a fire lies in box b (west, south, east, north)
// and overlaps [from, to].
func (idx fireIndex) any(b [4]float64, from, to int64) bool {
	s, n := cellOf(b[1]), cellOf(b[3])
	west, east := cellOf(max(b[0], -180)), cellOf(min(b[2], 180))
	if int64(n-s+1)*int64(east-west+1) > maxFireCells {
		return true
	}
	for i := s; i <= n; i++ {
		for j := west; j <= east; j++ {
			for _, f := range idx[[2]int32{i, j}] {
				if f.lat >= b[1] && f.lat <= b[3] && f.lon >= b[0] && f.lon <= b[2] && f.to >= from && f.from <= to {
					return true
				}
			}
		}
	}
	return false
}

// alertSpan is one oblast's alerts, sorted by start: maxTo[i] is the
// latest end of the first i+1.
type alertSpan struct {
	from, maxTo []int64
}

// onDuring reports whether an alert was on during [from, to] (see
// sensorObservations: it started before to ended and ended at from or
// after).
func (a alertSpan) onDuring(from, to int64) bool {
	// The alerts that started before to ends: a prefix.
	n, _ := slices.BinarySearch(a.from, to+1)
	return n > 0 && a.maxTo[n-1] >= from
}

// alertSpans reads the alerts among the observations first..last, by
// oblast.
func (db *DB) alertSpans(ctx context.Context, first, last int64) (map[string]alertSpan, error) {
	rows, err := db.query(ctx, db.ro, `SELECT admin1, from_us, to_us FROM observations
		WHERE id >= ? AND id <= ? AND kind = ? AND admin1 <> '' ORDER BY admin1, from_us`, first, last, truce.ObservationAlert)
	if err != nil {
		return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	defer rows.Close()
	out := map[string]alertSpan{}
	for rows.Next() {
		var unit string
		var from, to int64
		if err := rows.Scan(&unit, &from, &to); err != nil {
			return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
		}
		a := out[unit]
		if n := len(a.maxTo); n > 0 {
			to = max(to, a.maxTo[n-1])
		}
		a.from, a.maxTo = append(a.from, from), append(a.maxTo, to)
		out[unit] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("observations %d–%d: %w", first, last, err)
	}
	return out, nil
}

// ObservationIDs returns the smallest and largest observation id stored;
// 0, 0 when there is none.
func (db *DB) ObservationIDs(ctx context.Context) (first, last int64, err error) {
	var lo, hi sql.NullInt64
	if err := db.queryRow(ctx, db.ro, "SELECT MIN(id), MAX(id) FROM observations").Scan(&lo, &hi); err != nil {
		return 0, 0, fmt.Errorf("observations: %w", err)
	}
	return lo.Int64, hi.Int64, nil
}

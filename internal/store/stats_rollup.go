package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce"
)

// The incident_rollup table (migration 0009) counts live incidents by
// the raw value of each grouping, their first and last UTC day, status
// and verdict, so that Stats reads O(days × groups) rows. Every
// transaction that changes an incident's counted columns, its status or
// its findings takes the incident's old counts off and puts its new ones
// on (rollupAround), in the same transaction: the counts are always
// those of the committed incidents.

// Raw groupings of incident_rollup.grp.
const (
	rollupPerpetrators = "perpetrators" // incidents.perpetrators, '' for none
	rollupDomains      = "domains"      // incidents.domains
	rollupAdmin1       = "admin1"       // incidents.admin1
	rollupParty        = "party"        // the finding's responsible party
	rollupDay          = "day"          // gkey '': the count by day, in the fewest rows
)

const microsPerDay = 86400000000

// dayOf is the UTC day of a time in microseconds, floored (as the
// migration's backfill computes it).
func dayOf(us int64) int64 {
	d := us / microsPerDay
	if us%microsPerDay < 0 {
		d--
	}
	return d
}

// dayOfSQL is dayOf in SQL, for both dialects (integer division
// truncates, % keeps the dividend's sign).
func dayOfSQL(col string) string {
	return fmt.Sprintf("((%[1]s - (((%[1]s %% %[2]d) + %[2]d) %% %[2]d)) / %[2]d)", col, microsPerDay)
}

type rollupKey struct {
	agreement, grp  string
	fromDay, toDay  int64
	gkey            string
	status, verdict string
}

// rollupDelta is a change of counts to apply.
type rollupDelta map[rollupKey]int64

// rollupAround takes the counts of incidents ids off, runs change, and
// puts their counts as change left them on. ids may hold duplicates.
func (t *tx) rollupAround(ctx context.Context, ids []int64, change func() error) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	d := rollupDelta{}
	if err := t.rollupCount(ctx, ids, d, -1); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	if err := t.rollupCount(ctx, ids, d, +1); err != nil {
		return err
	}
	return t.rollupApply(ctx, d)
}

// rollupCount adds sign times the counts of incidents ids, as stored now,
// to d.
func (t *tx) rollupCount(ctx context.Context, ids []int64, d rollupDelta, sign int64) error {
	for chunk := range slices.Chunk(ids, 500) {
		args := int64Args(chunk)
		rows, err := t.query(ctx, "SELECT from_us, to_us, status, perpetrators, domains, admin1 FROM incidents WHERE merged_into IS NULL AND id IN ("+
			placeholders(len(chunk))+")", args...)
		if err != nil {
			return fmt.Errorf("incident rollup: %w", err)
		}
		for rows.Next() {
			var from, to int64
			var status, domains, admin1 string
			var perps sql.NullString
			if err := rows.Scan(&from, &to, &status, &perps, &domains, &admin1); err != nil {
				rows.Close()
				return fmt.Errorf("incident rollup: %w", err)
			}
			k := rollupKey{fromDay: dayOf(from), toDay: dayOf(to), status: status}
			for grp, v := range map[string]string{rollupPerpetrators: perps.String, rollupDomains: domains, rollupAdmin1: admin1, rollupDay: ""} {
				k.grp, k.gkey = grp, v
				d[k] += sign
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("incident rollup: %w", err)
		}
		rows, err = t.query(ctx, `SELECT f.agreement_id, h.party, h.verdict, i.from_us, i.to_us, i.status, i.domains, i.admin1
			FROM incidents i JOIN findings f ON f.subject_kind = ? AND f.subject_id = i.id
			JOIN finding_history h ON h.id = f.history_id
			WHERE i.merged_into IS NULL AND h.verdict <> ? AND i.id IN (`+placeholders(len(chunk))+")",
			append([]any{SubjectIncident, truce.VerdictOutside}, args...)...)
		if err != nil {
			return fmt.Errorf("incident rollup: %w", err)
		}
		for rows.Next() {
			var k rollupKey
			var from, to int64
			var party, domains, admin1 string
			if err := rows.Scan(&k.agreement, &party, &k.verdict, &from, &to, &k.status, &domains, &admin1); err != nil {
				rows.Close()
				return fmt.Errorf("incident rollup: %w", err)
			}
			k.fromDay, k.toDay = dayOf(from), dayOf(to)
			for grp, v := range map[string]string{rollupParty: party, rollupDomains: domains, rollupAdmin1: admin1, rollupDay: ""} {
				k.grp, k.gkey = grp, v
				d[k] += sign
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("incident rollup: %w", err)
		}
	}
	return nil
}

// rollupApply adds d to incident_rollup. Rows that fall to zero stay
// (Stats skips them): deleting them would cost a write for nothing.
func (t *tx) rollupApply(ctx context.Context, d rollupDelta) error {
	for k, n := range d {
		if n == 0 {
			continue
		}
		err := t.execStmt(ctx, `INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (agreement_id, grp, from_day, to_day, gkey, status, verdict) DO UPDATE SET n = incident_rollup.n + excluded.n`,
			k.agreement, k.grp, k.fromDay, k.toDay, k.gkey, k.status, k.verdict, n)
		if err != nil {
			return fmt.Errorf("incident rollup: %w", err)
		}
	}
	return nil
}

package store

import (
	"context"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// RecomputeFindings judges incidents again and stores their findings, one
// per adjudicated agreement (see PutFindings: only new or changed verdicts
// are logged). ids nil means every incident that holds reports; incidents
// merged into another are skipped. Call it with GroupSummary.Live after
// grouping, and with nil after the terms change (with a Judge built from
// the new terms). It returns how many findings were new or changed.
func (db *DB) RecomputeFindings(ctx context.Context, j *incident.Judge, ids []int64) (int, error) {
	var rows []incidentRow
	if ids == nil {
		var err error
		if rows, err = db.incidentRows(ctx, db.ro, "WHERE merged_into IS NULL ORDER BY id"); err != nil {
			return 0, err
		}
	} else {
		ids = slices.Clone(ids)
		slices.Sort(ids)
		for chunk := range slices.Chunk(slices.Compact(ids), 500) {
			rs, err := db.incidentRows(ctx, db.ro, "WHERE merged_into IS NULL AND id IN ("+placeholders(len(chunk))+") ORDER BY id", int64Args(chunk)...)
			if err != nil {
				return 0, err
			}
			rows = append(rows, rs...)
		}
	}
	now := normTime(db.now())
	changed := 0
	var fs []truce.Finding
	flush := func() error {
		n, err := db.PutFindings(ctx, fs)
		changed += n
		fs = fs[:0]
		return err
	}
	for _, r := range rows {
		fs = append(fs, j.Findings(r.inc, r.hostile, r.byUnit, now)...)
		if len(fs) >= 5000 {
			if err := flush(); err != nil {
				return changed, err
			}
		}
	}
	return changed, flush()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// incidentRecord returns the record of a transition, reply or
// incident_grouping leaf and the leaf's time (see Record).
func (db *DB) incidentRecord(ctx context.Context, kind, id string) (any, time.Time, error) {
	n, err := parseID(id)
	if err != nil {
		return nil, time.Time{}, err
	}
	switch kind {
	case ledger.KindTransition:
		ts, err := db.transitions(ctx, "WHERE id = ?", n)
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(ts) == 0 {
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "transition %d not found", n)
		}
		return ts[0], ts[0].At, nil
	case ledger.KindReply:
		rs, err := db.replies(ctx, "WHERE id = ?", n)
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(rs) == 0 {
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "reply %d not found", n)
		}
		return rs[0], rs[0].At, nil
	case KindIncidentGrouping:
		return db.groupingRecord(ctx, n)
	}
	return nil, time.Time{}, truce.Invalid("kind", "unknown leaf kind %q", kind)
}

// groupingRecord rebuilds the record of an incident_grouping leaf from
// the grouping, the reports its decision names and the states it wrote.
func (db *DB) groupingRecord(ctx context.Context, id int64) (GroupingRecord, time.Time, error) {
	var rec GroupingRecord
	var report sql.NullInt64
	var incidents []byte
	var at int64
	err := db.queryRow(ctx, db.ro, "SELECT kind, by_user, reason, report_id, incidents, at_us FROM groupings WHERE id = ?", id).
		Scan(&rec.Kind, &rec.By, &rec.Reason, &report, &incidents, &at)
	if notFound(err) {
		return rec, time.Time{}, truce.Errorf(truce.ENOTFOUND, "grouping %d not found", id)
	}
	if err != nil {
		return rec, time.Time{}, fmt.Errorf("grouping %d: %w", id, err)
	}
	rec.ReportID = report.Int64
	if len(incidents) > 0 {
		if err := json.Unmarshal(incidents, &rec.Incidents); err != nil {
			return rec, time.Time{}, fmt.Errorf("grouping %d: %w", id, err)
		}
	}
	rows, err := db.query(ctx, db.ro, "SELECT report_id FROM grouping_reports WHERE grouping_id = ? ORDER BY report_id", id)
	if err != nil {
		return rec, time.Time{}, fmt.Errorf("grouping %d: %w", id, err)
	}
	for rows.Next() {
		var rid int64
		if err := rows.Scan(&rid); err != nil {
			rows.Close()
			return rec, time.Time{}, fmt.Errorf("grouping %d: %w", id, err)
		}
		rec.Reports = append(rec.Reports, rid)
	}
	if err := rows.Close(); err != nil {
		return rec, time.Time{}, fmt.Errorf("grouping %d: %w", id, err)
	}
	states, _, err := db.incidentStates(ctx, db.ro, "WHERE grouping_id = ? ORDER BY incident_id", id)
	if err != nil {
		return rec, time.Time{}, err
	}
	rec.States = make([]BatchItem, len(states))
	for i, s := range states {
		if rec.States[i], err = stateItem(s, fromMicros(at)); err != nil {
			return rec, time.Time{}, err
		}
	}
	return rec, fromMicros(at), nil
}

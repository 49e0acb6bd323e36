package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// ImportStaged imports rs like ImportReports and obs like
// ImportObservations, in one transaction, and counts before the commit
// the rows of the temporary tables the imports COPY to on PostgreSQL:
// reports and observations are -1 when there is no such table (SQLite).
func (db *DB) ImportStaged(ctx context.Context, rs []truce.Report, obs []truce.Observation) (reports, observations int, err error) {
	nrs := make([]newReport, len(rs))
	for i := range rs {
		if nrs[i], err = normReport(rs[i], &db.zones); err != nil {
			return 0, 0, err
		}
	}
	norm := make([]truce.Observation, len(obs))
	for i := range obs {
		if norm[i], err = normObservation(obs[i]); err != nil {
			return 0, 0, err
		}
	}
	err = db.write(ctx, func(t *tx) error {
		if _, err := t.addReports(ctx, nrs, true); err != nil {
			return err
		}
		if _, err := t.addObservations(ctx, norm); err != nil {
			return err
		}
		reports, observations = -1, -1
		if t.conn == nil {
			return nil
		}
		if err := t.queryRow(ctx, "SELECT count(*) FROM "+stagingTable("reports")).Scan(&reports); err != nil {
			return err
		}
		return t.queryRow(ctx, "SELECT count(*) FROM "+stagingTable("observations")).Scan(&observations)
	})
	return reports, observations, err
}

package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// CreateReport stores one report and logs it. It fills in r's ID,
// ReceivedAt and LogIndex. A report whose (SubmittedBy, ExternalID) is
// already stored is not stored again: *r becomes the stored report and
// created is false. It returns EINVALID for an invalid report.
func (db *DB) CreateReport(ctx context.Context, r *truce.Report) (created bool, err error) {
	nr, err := normReport(*r, &db.zones)
	if err != nil {
		return false, err
	}
	var stored truce.Report
	err = db.writeGrouped(ctx, func(ctx context.Context, t *tx) error {
		if nr.r.ExternalID != "" {
			s, err := db.report(ctx, t.tx, "WHERE submitted_by = ? AND external_id = ?", nr.r.SubmittedBy, nr.r.ExternalID)
			if err == nil {
				stored, created = s, false
				return nil
			}
			if truce.ErrorCode(err) != truce.ENOTFOUND {
				return err
			}
		}
		rs, err := t.addReports(ctx, []newReport{nr}, false)
		if err != nil {
			return err
		}
		stored, created = rs[0], true
		return nil
	})
	if err != nil {
		return false, err
	}
	*r = stored
	return created, nil
}

package compliance

import (
	"context"

	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// Daily computes the daily report of an agreement for a reporting day
// (YYYY-MM-DD) from the record as it stood at log size asOf, or at the
// log's current size when asOf is negative. It returns EINVALID for a bad
// date or a size beyond the log, and ENOTFOUND for an agreement unknown
// at that size.
func Daily(ctx context.Context, db *store.DB, g *incident.Grouper, agreementID, date string, asOf int64) (*Report, error) {
	if _, err := ParseDate(date); err != nil {
		return nil, err
	}
	at, err := db.ResolveAsOf(ctx, asOf)
	if err != nil {
		return nil, err
	}
	a, err := db.AgreementAsOf(ctx, at, agreementID)
	if err != nil {
		return nil, err
	}
	_, read, err := Spans(a, date)
	if err != nil {
		return nil, err
	}
	st, err := db.ComplianceState(ctx, at, agreementID, read.From, read.To)
	if err != nil {
		return nil, err
	}
	return Build(Input{State: st, Grouper: g, Date: date})
}

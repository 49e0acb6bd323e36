package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// ImportReports stores a batch of reports in one transaction, skipping
// those whose (SubmittedBy, ExternalID) is already stored or comes earlier
// in the batch. It returns how many were added and how many were already
// present. If any report is invalid it returns EINVALID, with the field as
// reports[i].…, and stores nothing. The batch is logged as one
// report_batch leaf (see Batch). rs is not modified.
func (db *DB) ImportReports(ctx context.Context, rs []truce.Report) (added, present int, err error) {
	if len(rs) == 0 {
		return 0, 0, nil
	}
	nrs := make([]newReport, len(rs))
	errs := make([]error, len(rs))
	parallel(len(rs), func(i int) { nrs[i], errs[i] = normReport(rs[i], &db.zones) })
	for i, err := range errs {
		if err != nil {
			return 0, 0, wrapIndexed("reports", i, err)
		}
	}
	err = db.write(ctx, func(t *tx) error {
		stored, err := t.addReports(ctx, nrs, true)
		added, present = len(stored), len(nrs)-len(stored)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return added, present, nil
}

// addReports assigns ids to new reports, inserts those whose
// (SubmittedBy, ExternalID) is not taken (by a stored report or an earlier
// one in nrs), logs them and returns them as stored. With batch they
// share one report_batch leaf; otherwise each has its own report leaf,
// and nrs must hold no duplicate (CreateReport looks first).
func (t *tx) addReports(ctx context.Context, nrs []newReport, batch bool) ([]truce.Report, error) {
	if len(nrs) == 0 {
		return nil, nil
	}
	id0, err := t.nextID(ctx, "reports")
	if err != nil {
		return nil, err
	}
	next, err := t.log.next(ctx)
	if err != nil {
		return nil, err
	}
	// Leaves follow the rows: the rows first, to learn which are new. Their
	// log indexes are known already, as this transaction holds the log.
	rs := make([]truce.Report, len(nrs))
	args := make([]any, 0, len(rs)*len(reportColList))
	for i, nr := range nrs {
		r := nr.r
		r.ID, r.ReceivedAt = id0+int64(i), t.now
		idx := next
		if !batch {
			idx += int64(i)
		}
		r.LogIndex = &idx
		row, err := reportRow(r, nr.t0, nr.t1)
		if err != nil {
			return nil, err
		}
		args = append(args, row...)
		rs[i] = r
	}
	// A batch is one import, alone in its transaction: it may COPY. Single
	// reports share theirs with others (writeGrouped).
	insert := t.insertNew
	if batch {
		insert = t.importNew
	}
	inserted, err := insert(ctx, "reports", reportColList, args, "submitted_by, external_id")
	if err != nil {
		return nil, err
	}
	if len(inserted) == 0 {
		return nil, nil
	}
	moved, err := t.closeGaps(ctx, "reports", id0, inserted)
	if err != nil {
		return nil, err
	}
	stored := make([]truce.Report, 0, len(inserted))
	var perps []any
	for _, r := range rs {
		if !inserted[r.ID] {
			continue
		}
		if id, ok := moved[r.ID]; ok {
			r.ID = id
		}
		stored = append(stored, r)
		seen := map[string]bool{}
		for _, p := range r.Perpetrators {
			if !seen[p] {
				seen[p] = true
				perps = append(perps, p, r.ID)
			}
		}
	}
	if len(perps) > 0 {
		if err := t.insert(ctx, "report_perpetrators", []string{"party", "report_id"}, perps); err != nil {
			return nil, err
		}
	}
	leaves, err := encodeLeaves(ledger.KindReport, stored, func(r truce.Report) (int64, any) { return r.ID, leafReport(r) }, t.now)
	if err != nil {
		return nil, err
	}
	if batch {
		_, err = t.log.addBatch(ctx, KindReportBatch, ledger.KindReport, func(i int) int64 { return stored[i].ID }, leaves)
		return stored, err
	}
	if len(stored) != len(rs) {
		return nil, fmt.Errorf("add reports: %d of %d were duplicates", len(rs)-len(stored), len(rs))
	}
	for i, r := range stored {
		if _, err := t.log.add(ctx, ledger.KindReport, strconv.FormatInt(r.ID, 10), leaves[i]); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// reportRow returns r's column values, in reportColList's order.
func reportRow(r truce.Report, t0, t1 int64) ([]any, error) {
	var ext any
	if r.ExternalID != "" {
		ext = r.ExternalID
	}
	var lists [5]any
	for i, l := range []func() (any, error){
		func() (any, error) { return jsonList(r.Domains) },
		func() (any, error) { return jsonList(r.Targets) },
		func() (any, error) { return jsonList(r.Means) },
		func() (any, error) { return jsonList(r.Perpetrators) },
		func() (any, error) { return jsonList(r.Evidence) },
	} {
		v, err := l()
		if err != nil {
			return nil, fmt.Errorf("report %d: %w", r.ID, err)
		}
		lists[i] = v
	}
	return []any{
		r.ID, r.SubmittedBy, ext, micros(r.ReceivedAt), r.Source.Kind, r.Source.Name, r.Source.URL, r.Source.Party,
		microsPtr(r.Occurred.From), microsPtr(r.Occurred.To), r.Occurred.Date, r.Occurred.Precision, r.Occurred.TZ, t0, t1,
		nullFloat(r.Place.Lat), nullFloat(r.Place.Lon), nullFloat(r.Place.RadiusKm), r.Place.Admin1,
		lists[0], lists[1], lists[2], lists[3], r.Description, r.Language, lists[4],
		r.EventType, r.SubEventType, r.Country, r.NotHostile, r.Illustrative, nil, *r.LogIndex,
	}, nil
}

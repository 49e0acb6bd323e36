package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// CreateReport stores one report and logs it. It fills in r's ID,
// ReceivedAt and LogIndex. A report whose (SubmittedBy, ExternalID) is
// already stored is not stored again: *r becomes the stored report and
// created is false. It returns EINVALID for an invalid report.
func (db *DB) CreateReport(ctx context.Context, r *truce.Report) (created bool, err error) {
	nr, err := normReport(*r)
	if err != nil {
		return false, err
	}
	var stored truce.Report
	err = db.write(ctx, func(t *tx) error {
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
	parallel(len(rs), func(i int) { nrs[i], errs[i] = normReport(rs[i]) })
	for i, err := range errs {
		if err != nil {
			return 0, 0, wrapIndexed("reports", i, err)
		}
	}
	err = db.write(ctx, func(t *tx) error {
		fresh, err := t.freshReports(ctx, nrs)
		if err != nil {
			return err
		}
		if _, err := t.addReports(ctx, fresh, true); err != nil {
			return err
		}
		added, present = len(fresh), len(nrs)-len(fresh)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return added, present, nil
}

// freshReports returns the reports of nrs that are neither stored nor
// duplicates of an earlier one in nrs.
func (t *tx) freshReports(ctx context.Context, nrs []newReport) ([]newReport, error) {
	type key struct{ by, ext string }
	wanted := map[string][]string{} // submitted_by → external ids
	for _, nr := range nrs {
		if nr.r.ExternalID != "" {
			wanted[nr.r.SubmittedBy] = append(wanted[nr.r.SubmittedBy], nr.r.ExternalID)
		}
	}
	seen := map[key]bool{}
	for by, exts := range wanted {
		for len(exts) > 0 {
			chunk := exts[:min(len(exts), 500)]
			exts = exts[len(chunk):]
			args := make([]any, 0, len(chunk)+1)
			args = append(args, by)
			for _, e := range chunk {
				args = append(args, e)
			}
			rows, err := t.query(ctx, "SELECT external_id FROM reports WHERE submitted_by = ? AND external_id IN ("+placeholders(len(chunk))+")", args...)
			if err != nil {
				return nil, fmt.Errorf("reports present: %w", err)
			}
			for rows.Next() {
				var ext string
				if err := rows.Scan(&ext); err != nil {
					rows.Close()
					return nil, fmt.Errorf("reports present: %w", err)
				}
				seen[key{by, ext}] = true
			}
			if err := rows.Close(); err != nil {
				return nil, fmt.Errorf("reports present: %w", err)
			}
		}
	}
	fresh := make([]newReport, 0, len(nrs))
	for _, nr := range nrs {
		if nr.r.ExternalID != "" {
			k := key{nr.r.SubmittedBy, nr.r.ExternalID}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		fresh = append(fresh, nr)
	}
	return fresh, nil
}

// addReports assigns ids, logs and inserts new reports, returning them as
// stored. With batch, the reports share one report_batch leaf; otherwise
// each has its own report leaf.
func (t *tx) addReports(ctx context.Context, nrs []newReport, batch bool) ([]truce.Report, error) {
	if len(nrs) == 0 {
		return nil, nil
	}
	id0, err := t.nextID(ctx, "reports")
	if err != nil {
		return nil, err
	}
	rs := make([]truce.Report, len(nrs))
	for i, nr := range nrs {
		rs[i] = nr.r
		rs[i].ID, rs[i].ReceivedAt = id0+int64(i), t.now
	}
	leaves, err := encodeLeaves(ledger.KindReport, rs, func(r truce.Report) (int64, any) { return r.ID, leafReport(r) }, t.now)
	if err != nil {
		return nil, err
	}
	if batch {
		idx, err := t.log.addBatch(ctx, KindReportBatch, ledger.KindReport, id0, leaves)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			rs[i].LogIndex = &idx
		}
	} else {
		for i := range rs {
			idx, err := t.log.add(ctx, ledger.KindReport, strconv.FormatInt(rs[i].ID, 10), leaves[i].data, leaves[i].hash)
			if err != nil {
				return nil, err
			}
			rs[i].LogIndex = &idx
		}
	}
	args := make([]any, 0, len(rs)*len(reportColList))
	var perps []any
	for i, r := range rs {
		row, err := reportRow(r, nrs[i].t0, nrs[i].t1)
		if err != nil {
			return nil, err
		}
		args = append(args, row...)
		seen := map[string]bool{}
		for _, p := range r.Perpetrators {
			if !seen[p] {
				seen[p] = true
				perps = append(perps, p, r.ID)
			}
		}
	}
	if err := t.insert(ctx, "reports", reportColList, args); err != nil {
		return nil, err
	}
	if len(perps) > 0 {
		if err := t.insert(ctx, "report_perpetrators", []string{"party", "report_id"}, perps); err != nil {
			return nil, err
		}
	}
	return rs, nil
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

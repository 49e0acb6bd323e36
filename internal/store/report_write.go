package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

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
	imp, err := db.PrepareReports(rs)
	if err != nil {
		return 0, 0, err
	}
	return imp(ctx)
}

// PrepareReports does the part of ImportReports that needs no lock:
// checking the reports, their column values, and their leaves but for
// the id, time and log index the write assigns. It returns the rest, to
// be called once: a bulk importer prepares the next batch while the
// previous one is written. Errors are ImportReports'; nothing is written
// until the function runs, and rs is neither modified nor kept.
func (db *DB) PrepareReports(rs []truce.Report) (imp func(context.Context) (added, present int, err error), err error) {
	nrs := make([]newReport, len(rs))
	errs := make([]error, len(rs))
	nc := len(reportColList)
	pre := &preparedReports{args: make([]any, len(rs)*nc), leaves: make([]leafParts, len(rs))}
	parallelRanges(len(rs), func(lo, hi int) {
		var reuse rowReuse // values repeated in this range's rows
		for i := lo; i < hi; i++ {
			if nrs[i], errs[i] = normReport(rs[i], &db.zones); errs[i] != nil {
				continue
			}
			r := &nrs[i].r
			row := pre.args[i*nc : (i+1)*nc]
			if errs[i] = reportRowInto(row, r, nrs[i].t0, nrs[i].t1, &reuse); errs[i] != nil {
				continue
			}
			pre.leaves[i] = reportLeafParts(*r)
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, wrapIndexed("reports", i, err)
		}
	}
	return func(ctx context.Context) (added, present int, err error) {
		if len(nrs) == 0 {
			return 0, 0, nil
		}
		err = db.write(ctx, func(t *tx) error {
			stored, err := t.addReportRows(ctx, nrs, true, pre)
			added, present = len(stored), len(nrs)-len(stored)
			return err
		})
		if err != nil {
			return 0, 0, err
		}
		return added, present, nil
	}, nil
}

// preparedReports holds what PrepareReports computed: the column values
// of each report but id, received_at_us and log_index, and its leaf cut
// around the id and received_at.
type preparedReports struct {
	args   []any
	leaves []leafParts
}

// leafParts is the JSON record of a report leaf with its id and
// received_at left out: {"id":ID,A"received_at":TIME B. ok is false when
// the encoding did not have that shape, and the leaf is encoded whole.
type leafParts struct {
	a, b []byte
	ok   bool
}

// Stand-ins for a report's id and receiving time while its leaf is
// encoded ahead: a time after the zero one, so that omitzero keeps it.
var (
	leafIDMark   = []byte(`{"id":1,`)
	leafTimeMark = []byte(`"received_at":"1970-01-01T00:00:00Z"`)
)

// reportLeafParts is r's leaf cut around its id and time: encoded the fast
// way (appendLeafParts), or through encoding/json where that one cannot.
func reportLeafParts(r truce.Report) leafParts {
	if lp, ok := appendLeafParts(r); ok {
		return lp
	}
	return splitReportLeaf(r)
}

// splitReportLeaf encodes r's leaf record with stand-ins for the id and
// time, and cuts it around them. Quotes inside strings are escaped, so
// the stand-ins' bytes can only be the fields themselves: the id first,
// received_at the last of the fields that may hold one.
func splitReportLeaf(r truce.Report) leafParts {
	r = leafReport(r)
	r.ID, r.ReceivedAt = 1, time.Unix(0, 0).UTC()
	rec, err := marshal(r)
	if err != nil || !bytes.HasPrefix(rec, leafIDMark) {
		return leafParts{}
	}
	rest := rec[len(leafIDMark):]
	k := bytes.LastIndex(rest, leafTimeMark)
	if k < 0 {
		return leafParts{}
	}
	return leafParts{a: rest[:k], b: rest[k+len(leafTimeMark):], ok: true}
}

// leaf returns the leaf of the report with id, received at, logged at at:
// ledger.Encode(ledger.KindReport, id, at, record) byte for byte.
// atJSON is the JSON of at (received_at and the leaf's time are one
// instant, the transaction's).
func (p leafParts) leaf(id int64, at string, atJSON []byte) []byte {
	ids := strconv.AppendInt(nil, id, 10)
	out := make([]byte, 0, 64+len(at)+2*len(ids)+len(p.a)+len(p.b)+len(atJSON)+len(leafTimeMark))
	out = append(out, `{"kind":"`+ledger.KindReport+`","id":"`...)
	out = append(out, ids...)
	out = append(out, `","at":"`...)
	out = append(out, at...)
	out = append(out, `","record":{"id":`...)
	out = append(out, ids...)
	out = append(out, ',')
	out = append(out, p.a...)
	out = append(out, `"received_at":`...)
	out = append(out, atJSON...)
	out = append(out, p.b...)
	return append(out, '}')
}

// addReports assigns ids to new reports, inserts those whose
// (SubmittedBy, ExternalID) is not taken (by a stored report or an earlier
// one in nrs), logs them and returns them as stored. With batch they
// share one report_batch leaf; otherwise each has its own report leaf,
// and nrs must hold no duplicate (CreateReport looks first).
func (t *tx) addReports(ctx context.Context, nrs []newReport, batch bool) ([]truce.Report, error) {
	return t.addReportRows(ctx, nrs, batch, nil)
}

// addReportRows is addReports, with the column values and leaves pre
// prepared ahead (PrepareReports) if not nil.
func (t *tx) addReportRows(ctx context.Context, nrs []newReport, batch bool, pre *preparedReports) ([]truce.Report, error) {
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
	var args []any
	if pre != nil {
		args = pre.args
	} else {
		args = make([]any, 0, len(rs)*len(reportColList))
	}
	nc := len(reportColList)
	// Boxed once: the time is the transaction's, and a batch's rows share
	// their leaf's index.
	at, batchIdx := any(micros(t.now)), any(next)
	for i, nr := range nrs {
		r := nr.r
		r.ID, r.ReceivedAt = id0+int64(i), t.now
		idx := next
		if !batch {
			idx += int64(i)
		}
		r.LogIndex = &idx
		rs[i] = r
		if pre != nil {
			// The columns reportRow gives the fields assigned here.
			row := args[i*nc : (i+1)*nc]
			row[0], row[3], row[nc-1] = r.ID, at, batchIdx
			if !batch {
				row[nc-1] = idx
			}
			continue
		}
		row, err := reportRow(r, nr.t0, nr.t1)
		if err != nil {
			return nil, err
		}
		args = append(args, row...)
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
	from := make([]int, 0, len(inserted)) // the index in nrs of each stored report
	var perps []any
	for i, r := range rs {
		if !inserted[r.ID] {
			continue
		}
		if id, ok := moved[r.ID]; ok {
			r.ID = id
		}
		stored = append(stored, r)
		from = append(from, i)
		seen := map[string]bool{}
		for _, p := range r.Perpetrators {
			if !seen[p] {
				seen[p] = true
				perps = append(perps, p, r.ID)
			}
		}
	}
	if len(perps) > 0 {
		insertPerps := t.insert
		if batch {
			insertPerps = t.importRows
		}
		if err := insertPerps(ctx, "report_perpetrators", []string{"party", "report_id"}, perps); err != nil {
			return nil, err
		}
	}
	var leaves [][]byte
	if pre != nil {
		leaves, err = pre.leavesOf(stored, from, t.now)
	} else {
		leaves, err = encodeLeaves(ledger.KindReport, stored, func(r truce.Report) (int64, any) { return r.ID, leafReport(r) }, t.now)
	}
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

// leavesOf returns the leaves of the stored reports, the i-th prepared
// as from[i], received and logged at now.
func (p *preparedReports) leavesOf(stored []truce.Report, from []int, now time.Time) ([][]byte, error) {
	at := ledger.FormatTime(now)
	atJSON, err := now.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(stored))
	errs := make([]error, len(stored))
	parallel(len(stored), func(i int) {
		r := stored[i]
		if lp := p.leaves[from[i]]; lp.ok {
			out[i] = lp.leaf(r.ID, at, atJSON)
			return
		}
		out[i], errs[i] = ledger.Encode(ledger.KindReport, strconv.FormatInt(r.ID, 10), now, leafReport(r))
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reportRow returns r's column values, in reportColList's order.
func reportRow(r truce.Report, t0, t1 int64) ([]any, error) {
	row := make([]any, len(reportColList))
	if err := reportRowInto(row, &r, t0, t1, nil); err != nil {
		return nil, err
	}
	return row, nil
}

// reportRowInto writes r's column values into row, as reportRow returns
// them, but for the log index, which is left nil when r has none yet.
// With reuse (not nil), a string equal to the previous row's in its
// column, and a string list's JSON made for an equal list before, take
// that interface value rather than a new one: putting a string (or a
// list's JSON) in an interface value allocates, and most columns of a
// dataset's rows repeat. At 200,000 generated ACLED rows the boxing and
// the lists' JSON were half of reportRow's time.
func reportRowInto(row []any, r *truce.Report, t0, t1 int64, reuse *rowReuse) error {
	var prev []any
	if reuse != nil {
		prev = reuse.prev
		reuse.prev = row
	}
	str := func(col int, s string) {
		if prev != nil {
			if p, ok := prev[col].(string); ok && p == s {
				row[col] = prev[col]
				return
			}
		}
		row[col] = s
	}
	strs := func(col int, l []string, list int) {
		if reuse == nil || len(l) == 0 {
			row[col] = jsonStrings(l)
			return
		}
		row[col] = reuse.lists[list].json(l)
	}
	// The string lists the fast way (they are most of a dataset row's
	// lists); the others through encoding/json.
	means, err := jsonList(r.Means)
	if err != nil {
		return fmt.Errorf("report %d: %w", r.ID, err)
	}
	evidence, err := jsonList(r.Evidence)
	if err != nil {
		return fmt.Errorf("report %d: %w", r.ID, err)
	}
	row[0] = r.ID
	str(1, r.SubmittedBy)
	if r.ExternalID != "" {
		str(2, r.ExternalID)
	} else {
		row[2] = nil
	}
	row[3] = micros(r.ReceivedAt)
	str(4, r.Source.Kind)
	str(5, r.Source.Name)
	str(6, r.Source.URL)
	str(7, r.Source.Party)
	row[8], row[9] = microsPtr(r.Occurred.From), microsPtr(r.Occurred.To)
	str(10, r.Occurred.Date)
	str(11, r.Occurred.Precision)
	str(12, r.Occurred.TZ)
	row[13], row[14] = t0, t1
	row[15], row[16], row[17] = nullFloat(r.Place.Lat), nullFloat(r.Place.Lon), nullFloat(r.Place.RadiusKm)
	str(18, r.Place.Admin1)
	strs(19, r.Domains, 0)
	strs(20, r.Targets, 1)
	row[21] = means
	strs(22, r.Perpetrators, 2)
	str(23, r.Description)
	str(24, r.Language)
	row[25] = evidence
	str(26, r.EventType)
	str(27, r.SubEventType)
	str(28, r.Country)
	row[29], row[30], row[31] = r.NotHostile, r.Illustrative, nil
	row[32] = nil
	if r.LogIndex != nil {
		row[32] = *r.LogIndex
	}
	return nil
}

// rowReuse is what reportRowInto reuses across the rows of one goroutine:
// the row before, and the JSON of the string lists met lately.
type rowReuse struct {
	prev  []any
	lists [3]listCache // domains, targets, perpetrators
}

// listCache holds the JSON of up to len(items) string lists, the oldest
// replaced first: a dataset's rows have a handful of domain sets, target
// sets and perpetrators between them.
type listCache struct {
	items [8]struct {
		list []string
		json any
	}
	next int
}

// json returns jsonStrings(l), made once for equal lists.
func (c *listCache) json(l []string) any {
	for _, it := range c.items {
		if it.json != nil && slices.Equal(it.list, l) {
			return it.json
		}
	}
	v := jsonStrings(l)
	c.items[c.next].list, c.items[c.next].json = l, v
	c.next = (c.next + 1) % len(c.items)
	return v
}

package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/truce-monitor/truce"
)

// CreateReport stores one report and logs it. It fills in r's ID,
// ReceivedAt and LogIndex. A report whose (SubmittedBy, ExternalID) is
// already stored is not stored again: *r becomes the stored report and
// created is false. It returns EINVALID for an invalid report.
//
// Concurrent calls of the process share a transaction (group_commit.go);
// on PostgreSQL with the report queue on, a group that finds the log's
// lock taken by another node queues its reports for that node to store
// with its own (report_queue.go).
// Validation and normalization happen before the report is queued,
// outside the log's lock.
func (db *DB) CreateReport(ctx context.Context, r *truce.Report) (created bool, err error) {
	nr, err := normReport(*r, &db.zones)
	if err != nil {
		return false, err
	}
	p := &pendingReport{nr: nr}
	if db.dialect == Postgres {
		// Done here, by each writer at once, rather than by its group
		// under the log's lock, which every writer of every node waits
		// for. (SQLite keeps its path, as before.)
		p.prepare()
	}
	if err := db.enqueue(ctx, &queuedWrite{report: p}); err != nil {
		return false, err
	}
	*r = p.stored
	return p.created, nil
}

// pendingReport is a CreateReport waiting for its group's transaction,
// and then its outcome.
type pendingReport struct {
	nr      newReport
	stored  truce.Report
	created bool
	// row and leaf, if prepared, are the report's column values and leaf
	// but for what the write assigns (PrepareReports' preparedReports).
	row      []any
	leaf     leafParts
	prepared bool
}

// prepare computes the report's column values and its leaf cut around
// the id and time, which need no lock: under the lock the group only
// fills in the id, time and log index (addReportRows).
func (p *pendingReport) prepare() {
	row := make([]any, len(reportColList))
	if err := reportRowInto(row, &p.nr.r, p.nr.t0, p.nr.t1, nil); err != nil {
		return // the group encodes it under the lock, and fails there
	}
	p.row, p.leaf, p.prepared = row, reportLeafParts(p.nr.r), true
}

// preparedOf returns the prepared rows and leaves of ps, in order, or
// nil unless every one was prepared (reports other nodes queued were
// not).
func preparedOf(ps []*pendingReport) *preparedReports {
	nc := len(reportColList)
	pre := &preparedReports{args: make([]any, 0, len(ps)*nc), leaves: make([]leafParts, 0, len(ps))}
	for _, p := range ps {
		if !p.prepared {
			return nil
		}
		// Copied: addReportRows fills in the assigned columns, and a
		// failed group runs again.
		pre.args = append(pre.args, p.row...)
		pre.leaves = append(pre.leaves, p.leaf)
	}
	return pre
}

// reportKey is a report's (SubmittedBy, ExternalID).
type reportKey struct{ by, ext string }

// reportGroup is the reports of a group commit, written together: the
// reads they need are made with the log's lock (one round trip on
// PostgreSQL, see writeAfter), the new ones are added by one addReports
// call, each with its own leaf.
type reportGroup struct {
	ps    []*pendingReport
	asked map[reportKey]bool  // the distinct external keys of ps
	keys  []reportKey         // the same, in order
	found map[reportKey]int64 // the ids of stored reports with one of keys
}

// add adds reports to the group and returns the keys they bring.
func (g *reportGroup) add(ps []*pendingReport) []reportKey {
	if g.asked == nil {
		g.asked, g.found = map[reportKey]bool{}, map[reportKey]int64{}
	}
	g.ps = append(g.ps, ps...)
	n := len(g.keys)
	for _, p := range ps {
		k := reportKey{p.nr.r.SubmittedBy, p.nr.r.ExternalID}
		if k.ext != "" && !g.asked[k] {
			g.asked[k] = true
			g.keys = append(g.keys, k)
		}
	}
	return g.keys[n:]
}

// reads returns the group's reads under the lock: the next report id
// (for addReports), and which of its keys are already stored.
func (g *reportGroup) reads(t *tx) []statement {
	clear(g.found)
	next := statement{
		query: "SELECT COALESCE(MAX(id), 0) + 1 FROM reports",
		scan: func(rows rowScanner) error {
			var id int64
			if !rows.Next() {
				return fmt.Errorf("next reports id: %w", rows.Err())
			}
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("next reports id: %w", err)
			}
			t.nextIDs = map[string]int64{"reports": id}
			return nil
		},
	}
	return append([]statement{next}, g.keyReads(g.keys)...)
}

// keyReads returns the statements that find which of keys are stored,
// 250 keys a statement (SQLite takes at most 500 SELECTs in one).
func (g *reportGroup) keyReads(keys []reportKey) []statement {
	var out []statement
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 250)]
		keys = keys[len(chunk):]
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.by, k.ext)
		}
		// One lookup per key, each an equality on the whole unique
		// (submitted_by, external_id) index, which every planner answers
		// from the index. (An OR of the same equalities was planned as a
		// sequential scan by PostgreSQL while the table was young and its
		// statistics empty: 16 text comparisons per row.)
		const one = "SELECT id, submitted_by, external_id FROM reports WHERE submitted_by = ? AND external_id = ?"
		out = append(out, statement{
			query: strings.TrimSuffix(strings.Repeat(one+" UNION ALL ", len(chunk)), " UNION ALL "),
			args:  args,
			scan: func(rows rowScanner) error {
				for rows.Next() {
					var id int64
					var k reportKey
					if err := rows.Scan(&id, &k.by, &k.ext); err != nil {
						return fmt.Errorf("stored reports: %w", err)
					}
					g.found[k] = id
				}
				return rows.Err()
			},
		})
	}
	return out
}

// write stores the group's reports in t, after its reads: those whose key
// is already stored, or taken by an earlier one of the group, become that
// report (created false); the others are added. Every pendingReport's
// outcome is set, whether it was set before or not (a failed group runs
// again).
func (g *reportGroup) write(ctx context.Context, t *tx) error {
	// The next id read ahead serves this addReports call only.
	defer delete(t.nextIDs, "reports")
	stored := map[reportKey]truce.Report{}
	if len(g.found) > 0 {
		ids := make([]int64, 0, len(g.found))
		for _, id := range g.found {
			ids = append(ids, id)
		}
		rs, err := t.db.reports(ctx, t.q(), "SELECT "+reportCols+" FROM reports WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
		if err != nil {
			return err
		}
		for _, r := range rs {
			stored[reportKey{r.SubmittedBy, r.ExternalID}] = r
		}
	}
	var add []newReport
	var adders []*pendingReport
	first := map[reportKey]int{} // the index in add of the group's first report of a key
	for _, p := range g.ps {
		k := reportKey{p.nr.r.SubmittedBy, p.nr.r.ExternalID}
		if k.ext != "" {
			if s, ok := stored[k]; ok {
				p.stored, p.created = s, false
				continue
			}
			if _, ok := first[k]; ok {
				continue // set below, once the first is stored
			}
			first[k] = len(add)
		}
		add = append(add, p.nr)
		adders = append(adders, p)
	}
	// Under the lock it is known that every one of add is new, so the
	// rows can wait for the log's: the whole write then costs the server
	// one round trip.
	var rs []truce.Report
	err := t.deferInserts(func() (err error) {
		rs, err = t.addReportRows(ctx, add, false, preparedOf(adders))
		return err
	})
	if err != nil {
		return err
	}
	for i, r := range rs {
		adders[i].stored, adders[i].created = r, true
	}
	for _, p := range g.ps {
		k := reportKey{p.nr.r.SubmittedBy, p.nr.r.ExternalID}
		if i, ok := first[k]; ok && adders[i] != p {
			p.stored, p.created = rs[i], false
		}
	}
	return nil
}

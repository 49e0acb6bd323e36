package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// Kinds of grouping.
const (
	GroupingNew     = "new"     // reports that were in no incident joined or formed incidents
	GroupingRegroup = "regroup" // everything grouped again
	GroupingSplit   = incident.DecisionSplit
	GroupingMerge   = incident.DecisionMerge
)

// GroupSummary says what a grouping did.
type GroupSummary struct {
	Groupings    []int64 `json:"groupings,omitempty"`    // the grouping records written (one per batch or decision)
	Reports      int     `json:"reports"`                // reports grouped for the first time
	Created      []int64 `json:"created,omitempty"`      // new incidents
	Changed      []int64 `json:"changed,omitempty"`      // incidents with a new version, the new ones included
	Merged       []int64 `json:"merged,omitempty"`       // incidents whose reports all went into another
	Corroborated []int64 `json:"corroborated,omitempty"` // moved to corroborated by independent sources
}

func (s *GroupSummary) add(o GroupSummary) {
	s.Groupings = append(s.Groupings, o.Groupings...)
	s.Reports += o.Reports
	s.Created = append(s.Created, o.Created...)
	s.Changed = append(s.Changed, o.Changed...)
	s.Merged = append(s.Merged, o.Merged...)
	s.Corroborated = append(s.Corroborated, o.Corroborated...)
}

// Live returns the changed incidents that still hold reports: those whose
// findings need judging again (see RecomputeFindings).
func (s GroupSummary) Live() []int64 {
	var out []int64
	for _, id := range s.Changed {
		if !slices.Contains(s.Merged, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// groupBatch is how many new reports GroupNew groups in one transaction.
const groupBatch = 5000

// GroupNew groups the reports that are in no incident yet (new or
// imported ones), oldest first, in batches of 5,000, each in its own
// transaction. Each report joins an incident, starts one, or merges
// incidents it links; only the incidents it touches are grouped again,
// and the outcome is what Regroup would give (see incident.Grouper.Group
// and incident.Grouper.Affected). Call it after CreateReport and
// ImportReports; then RecomputeFindings for the summary's Live incidents.
func (db *DB) GroupNew(ctx context.Context, g *incident.Grouper) (GroupSummary, error) {
	var sum GroupSummary
	for {
		var s GroupSummary
		err := db.write(ctx, func(t *tx) error {
			var err error
			s, err = t.groupNewBatch(ctx, g)
			return err
		})
		if err != nil {
			return sum, err
		}
		sum.add(s)
		if s.Reports < groupBatch {
			return sum, nil
		}
	}
}

func (t *tx) groupNewBatch(ctx context.Context, g *incident.Grouper) (GroupSummary, error) {
	fresh, err := t.groupRows(ctx, g, "WHERE incident_id IS NULL ORDER BY id LIMIT "+strconv.Itoa(groupBatch))
	if err != nil || len(fresh) == 0 {
		return GroupSummary{}, err
	}
	ds, err := t.decisions(ctx)
	if err != nil {
		return GroupSummary{}, err
	}
	cons := incident.NewConstraints(incident.InForce(ds))
	tolT := g.Rules().TimeTolerance.Microseconds()
	lo, hi := fresh[0].item.T0, fresh[0].item.T1
	items := make([]incident.Item, len(fresh))
	for i, r := range fresh {
		items[i] = r.item
		lo, hi = min(lo, r.item.T0), max(hi, r.item.T1)
	}
	// Every report a fresh one can link with overlaps the batch's time,
	// widened by the tolerance.
	near, err := t.groupRows(ctx, g, "WHERE incident_id IS NOT NULL AND t1_us >= ? AND t0_us <= ?", lo-tolT, hi+tolT)
	if err != nil {
		return GroupSummary{}, err
	}
	existing := make([]incident.Item, len(near))
	incOf := make(map[int64]int64, len(near))
	for i, r := range near {
		existing[i] = r.item
		incOf[r.item.ID] = r.incident
	}
	var scope []int64
	for _, id := range g.Affected(items, existing, cons) {
		scope = append(scope, incOf[id])
	}
	known := &readSpan{lo: lo - tolT, hi: hi + tolT, rows: near}
	return t.regroup(ctx, g, ds, scope, fresh, known, grouping{kind: GroupingNew, by: incident.SystemUser,
		reason: "reports " + idRange(fresh) + " grouped"})
}

func idRange(rs []groupRow) string {
	first, last := rs[0].item.ID, rs[len(rs)-1].item.ID
	if first == last {
		return "#" + strconv.FormatInt(first, 10)
	}
	return "#" + strconv.FormatInt(first, 10) + "–#" + strconv.FormatInt(last, 10)
}

// Regroup groups every report again, from scratch, in one transaction:
// for changed rules, or to check that incremental grouping left nothing
// behind (on a record grouped by GroupNew it changes nothing). The
// monitors' splits and merges are kept. Incident ids follow their reports
// (see regroup).
func (db *DB) Regroup(ctx context.Context, g *incident.Grouper) (GroupSummary, error) {
	var sum GroupSummary
	err := db.write(ctx, func(t *tx) error {
		ds, err := t.decisions(ctx)
		if err != nil {
			return err
		}
		scope, err := t.groupedIncidents(ctx)
		if err != nil {
			return err
		}
		fresh, err := t.groupRows(ctx, g, "WHERE incident_id IS NULL ORDER BY id")
		if err != nil {
			return err
		}
		sum, err = t.regroup(ctx, g, ds, scope, fresh, nil, grouping{kind: GroupingRegroup, by: incident.SystemUser, reason: "full regroup"})
		return err
	})
	return sum, err
}

// groupedIncidents returns the incidents that hold reports.
func (t *tx) groupedIncidents(ctx context.Context) ([]int64, error) {
	rows, err := t.query(ctx, "SELECT DISTINCT incident_id FROM reports WHERE incident_id IS NOT NULL ORDER BY incident_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SplitReport takes a report out of its incident, as a monitor's decision
// (by, reason) that grouping keeps: from now on the report is kept apart
// from the reports it was grouped with, and it links no incidents (it may
// still attach to another incident, or to new reports). The rest of the
// incident is grouped again and may fall apart if the report was what
// held it together. It returns EINVALID for a missing reason or author, a
// report not grouped yet or alone in its incident; ENOTFOUND for an
// unknown report.
func (db *DB) SplitReport(ctx context.Context, g *incident.Grouper, reportID int64, by, reason string) (GroupSummary, error) {
	if err := checkDecision(by, reason); err != nil {
		return GroupSummary{}, err
	}
	var sum GroupSummary
	err := db.write(ctx, func(t *tx) error {
		rs, err := t.groupRowsIn(ctx, g, "id", []int64{reportID})
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return truce.Errorf(truce.ENOTFOUND, "report %d not found", reportID)
		}
		if rs[0].incident == 0 {
			return truce.Invalid("report_id", "report %d is in no incident yet", reportID)
		}
		inc := rs[0].incident
		members, err := t.groupRowsIn(ctx, g, "incident_id", []int64{inc})
		if err != nil {
			return err
		}
		if len(members) < 2 {
			return truce.Invalid("report_id", "report %d is alone in incident %d", reportID, inc)
		}
		d := incident.Decision{Kind: incident.DecisionSplit, By: by, Reason: reason, At: t.now, Report: reportID}
		for _, m := range members {
			if m.item.ID != reportID {
				d.Reports = append(d.Reports, m.item.ID)
			}
		}
		if d.ID, err = t.nextID(ctx, "groupings"); err != nil {
			return err
		}
		ds, err := t.decisions(ctx)
		if err != nil {
			return err
		}
		ds = append(ds, d)
		scope, err := t.splitScope(ctx, g, incident.InForce(ds), inc)
		if err != nil {
			return err
		}
		sum, err = t.regroup(ctx, g, ds, scope, nil, nil, grouping{kind: GroupingSplit, by: by, reason: reason, decision: &d})
		return err
	})
	return sum, err
}

// splitScope returns the incidents a split of incident inc regroups: inc,
// and the incidents of every split-off report kept apart from one of
// their reports, since an incident that falls apart may no longer hold
// what kept such a report away.
func (t *tx) splitScope(ctx context.Context, g *incident.Grouper, inForce []incident.Decision, inc int64) ([]int64, error) {
	scope := []int64{inc}
	for {
		members, err := t.groupRowsIn(ctx, g, "incident_id", scope)
		if err != nil {
			return nil, err
		}
		in := map[int64]bool{}
		for _, m := range members {
			in[m.item.ID] = true
		}
		var held []int64
		for _, d := range inForce {
			if d.Kind == incident.DecisionSplit && !in[d.Report] && slices.ContainsFunc(d.Reports, func(id int64) bool { return in[id] }) {
				held = append(held, d.Report)
			}
		}
		rs, err := t.groupRowsIn(ctx, g, "id", held)
		if err != nil {
			return nil, err
		}
		grew := false
		for _, r := range rs {
			if r.incident != 0 && !slices.Contains(scope, r.incident) {
				scope, grew = append(scope, r.incident), true
			}
		}
		if !grew {
			return scope, nil
		}
	}
}

// MergeIncidents makes two incidents one, as a monitor's decision (by,
// reason) that grouping keeps: their reports stay together from now on,
// and the splits that kept any of them apart are lifted. The merged
// incident keeps the id of the one anchored by the smaller report; the
// other is marked merged into it. It returns EINVALID for a missing
// reason or author, a == b, or an incident already merged into another;
// ENOTFOUND for an unknown incident.
func (db *DB) MergeIncidents(ctx context.Context, g *incident.Grouper, a, b int64, by, reason string) (GroupSummary, error) {
	if err := checkDecision(by, reason); err != nil {
		return GroupSummary{}, err
	}
	if a == b {
		return GroupSummary{}, truce.Invalid("incidents", "an incident cannot be merged with itself")
	}
	var sum GroupSummary
	err := db.write(ctx, func(t *tx) error {
		d := incident.Decision{Kind: incident.DecisionMerge, By: by, Reason: reason, At: t.now}
		for _, id := range []int64{a, b} {
			r, err := t.db.incidentRow(ctx, t.tx, id)
			if err != nil {
				return err
			}
			if r.mergedInto != 0 {
				return truce.Invalid("incidents", "incident %d was merged into incident %d", id, r.mergedInto)
			}
		}
		members, err := t.groupRowsIn(ctx, g, "incident_id", []int64{a, b})
		if err != nil {
			return err
		}
		for _, m := range members {
			d.Reports = append(d.Reports, m.item.ID)
		}
		slices.Sort(d.Reports)
		if d.ID, err = t.nextID(ctx, "groupings"); err != nil {
			return err
		}
		ds, err := t.decisions(ctx)
		if err != nil {
			return err
		}
		ds = append(ds, d)
		sum, err = t.regroup(ctx, g, ds, []int64{a, b}, nil, nil, grouping{kind: GroupingMerge, by: by, reason: reason, decision: &d, incidents: []int64{a, b}})
		return err
	})
	return sum, err
}

func checkDecision(by, reason string) error {
	switch {
	case strings.TrimSpace(by) == "":
		return truce.Invalid("by", "required")
	case strings.TrimSpace(reason) == "":
		return truce.Invalid("reason", "required")
	case len(reason) > truce.MaxDescription:
		return truce.Invalid("reason", "longer than 10,000 characters")
	}
	return checkTexts("by", by, "reason", reason)
}

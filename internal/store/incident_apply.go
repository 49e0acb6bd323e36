package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
)

// grouping is who groups and why.
type grouping struct {
	kind, by, reason string
	decision         *incident.Decision // the split or merge taken; nil when grouping runs by itself
	incidents        []int64            // merge: the two incidents
}

// outcome is an incident as a grouping leaves it.
type outcome struct {
	id       int64
	members  []int64
	mergedTo int64 // nonzero: its reports all went there
	old      *incidentRow
	oldIDs   []int64
	state    IncidentState
	corr     incident.Corroboration
	expl     []incident.Membership
	changed  bool // a new logged state
}

// regroup groups the reports of the incidents in scope, together with
// fresh reports (in no incident yet), and writes what changed: incident
// rows, the reports' incident, the new states, one incident_grouping leaf,
// and the automatic moves to corroborated. ds are every decision, the
// one being taken included.
//
// Incident ids follow their reports: an old incident lives on in the new
// incident that holds its anchor (its smallest core report, or smallest
// report when it has no core); of several old incidents anchored in one
// new incident, the one anchored by a core report wins, then the one with
// the smaller anchor, and the others are marked merged into it. A new
// incident no old one is anchored in gets a new id.
func (t *tx) regroup(ctx context.Context, g *incident.Grouper, ds []incident.Decision, scope []int64, fresh []groupRow, known *readSpan, gr grouping) (GroupSummary, error) {
	sum := GroupSummary{Reports: len(fresh)}
	inForce := incident.InForce(ds)
	cons := incident.NewConstraints(inForce)
	slices.Sort(scope)
	scope = slices.Compact(scope)
	members, err := t.groupRowsIn(ctx, g, "incident_id", scope)
	if err != nil {
		return sum, err
	}
	m := append(members, fresh...)
	inM := make(map[int64]bool, len(m))
	items := make([]incident.Item, len(m))
	itemOf := make(map[int64]*incident.Item, len(m))
	oldOf := make(map[int64]int64, len(m))
	oldMembers := map[int64][]int64{}
	for i, r := range m {
		inM[r.item.ID], items[i], oldOf[r.item.ID] = true, r.item, r.incident
		if r.incident != 0 {
			oldMembers[r.incident] = append(oldMembers[r.incident], r.item.ID)
		}
	}
	for i := range items {
		itemOf[items[i].ID] = &items[i]
	}
	fixed, err := t.fixedFor(ctx, g, cons, m, inM, known)
	if err != nil {
		return sum, err
	}
	groups := g.Group(items, fixed, cons)

	// Ids: heirs first, then new ids in the order of the groups.
	groupOf := make(map[int64]int, len(m))
	for k, gp := range groups {
		for _, id := range gp.Members {
			groupOf[id] = k
		}
	}
	type heir struct {
		inc, anchor int64
		core        bool
	}
	inherit := map[int][]heir{}
	for _, inc := range scope {
		ms := oldMembers[inc]
		if len(ms) == 0 {
			continue
		}
		slices.Sort(ms)
		h := heir{inc: inc, anchor: ms[0]}
		if i := slices.IndexFunc(ms, func(id int64) bool { return g.Core(itemOf[id], cons) }); i >= 0 {
			h.anchor, h.core = ms[i], true
		}
		inherit[groupOf[h.anchor]] = append(inherit[groupOf[h.anchor]], h)
	}
	next, err := t.nextID(ctx, "incidents")
	if err != nil {
		return sum, err
	}
	ids := make([]int64, len(groups))
	for k, gp := range groups {
		if gp.Incident != 0 {
			ids[k] = gp.Incident
			continue
		}
		hs := inherit[k]
		if len(hs) == 0 {
			ids[k], next = next, next+1
			sum.Created = append(sum.Created, ids[k])
			continue
		}
		best := slices.MinFunc(hs, func(a, b heir) int {
			if a.core != b.core {
				if a.core {
					return -1
				}
				return 1
			}
			return cmpInt64(a.anchor, b.anchor)
		})
		ids[k] = best.inc
	}

	// The outcome of every incident involved.
	outs := map[int64]*outcome{}
	var outside []int64
	for k, gp := range groups {
		o := &outcome{id: ids[k], members: gp.Members}
		if gp.Incident != 0 {
			outside = append(outside, gp.Incident)
		}
		outs[o.id] = o
	}
	for k, hs := range inherit {
		for _, h := range hs {
			if h.inc != ids[k] {
				outs[h.inc] = &outcome{id: h.inc, mergedTo: ids[k]}
				sum.Merged = append(sum.Merged, h.inc)
			}
		}
	}
	// Reports that attach to incidents outside the scope join their
	// reports, which grouping has not read yet.
	outRows, err := t.groupRowsIn(ctx, g, "incident_id", outside)
	if err != nil {
		return sum, err
	}
	for _, r := range outRows {
		o := outs[r.incident]
		o.members = append(o.members, r.item.ID)
		oldMembers[r.incident] = append(oldMembers[r.incident], r.item.ID)
		itemOf[r.item.ID] = &r.item
	}
	all := make([]int64, 0, len(outs))
	for id := range outs {
		all = append(all, id)
	}
	slices.Sort(all)
	olds, err := t.incidentRowsIn(ctx, all)
	if err != nil {
		return sum, err
	}
	var memberIDs []int64
	for _, id := range all {
		o := outs[id]
		slices.Sort(o.members)
		memberIDs = append(memberIDs, o.members...)
		if r, ok := olds[id]; ok {
			o.old = &r
			o.oldIDs = oldMembers[id]
			slices.Sort(o.oldIDs)
		}
	}
	details, err := t.memberReports(ctx, memberIDs)
	if err != nil {
		return sum, err
	}
	if err := t.describe(ctx, g, cons, outs, all, itemOf, details); err != nil {
		return sum, err
	}

	// Write.
	var changed []*outcome
	for _, id := range all {
		if o := outs[id]; o.changed {
			changed = append(changed, o)
		}
	}
	if len(changed) == 0 && gr.decision == nil {
		return sum, t.updateDerived(ctx, outs, all)
	}
	gid := int64(0)
	if gr.decision != nil {
		gid = gr.decision.ID
	} else if gid, err = t.nextID(ctx, "groupings"); err != nil {
		return sum, err
	}
	sum.Groupings = []int64{gid}
	rec := GroupingRecord{Kind: gr.kind, By: gr.by, Reason: gr.reason, Incidents: gr.incidents, States: []BatchItem{}}
	if d := gr.decision; d != nil {
		rec.ReportID, rec.Reports = d.Report, d.Reports
	}
	for _, o := range changed {
		item, err := stateItem(o.state, t.now)
		if err != nil {
			return sum, err
		}
		rec.States = append(rec.States, item)
		sum.Changed = append(sum.Changed, o.id)
	}
	idx, err := t.log.appendLeaf(ctx, KindIncidentGrouping, strconv.FormatInt(gid, 10), rec)
	if err != nil {
		return sum, err
	}
	if err := t.insertGrouping(ctx, gid, gr, rec, idx); err != nil {
		return sum, err
	}
	written := make([]int64, len(changed))
	for i, o := range changed {
		written[i] = o.id
	}
	err = t.rollupAround(ctx, written, func() error { // the statistics' counts (stats_rollup.go)
		for _, o := range changed {
			if err := t.writeIncident(ctx, o, gid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if err := t.updateDerived(ctx, outs, all); err != nil {
		return sum, err
	}
	if err := t.moveReports(ctx, outs, all, oldOf); err != nil {
		return sum, err
	}
	// Independent sources move an alleged incident on by themselves.
	for _, o := range changed {
		if o.mergedTo != 0 || o.state.Status != truce.IncidentAlleged || o.state.Sources < incident.AutoCorroborateSources {
			continue
		}
		tr := truce.Transition{IncidentID: o.id, From: truce.IncidentAlleged, To: truce.IncidentCorroborated,
			Reason: incident.CorroborationReason(o.corr), By: incident.SystemUser}
		if err := t.addTransition(ctx, &tr, o.state.Version+1); err != nil {
			return sum, err
		}
		sum.Corroborated = append(sum.Corroborated, o.id)
	}
	return sum, nil
}

// incidentRowsIn reads incidents by id.
func (t *tx) incidentRowsIn(ctx context.Context, ids []int64) (map[int64]incidentRow, error) {
	out := make(map[int64]incidentRow, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		rs, err := t.db.incidentRows(ctx, t.tx, "WHERE id IN ("+placeholders(len(chunk))+")", int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[r.inc.ID] = r
		}
	}
	return out, nil
}

// describe works out each outcome's state, corroboration and explanation,
// and whether it is a change.
func (t *tx) describe(ctx context.Context, g *incident.Grouper, cons *incident.Constraints, outs map[int64]*outcome,
	all []int64, itemOf map[int64]*incident.Item, details map[int64]truce.Report) error {
	summaries := map[int64]incident.Summary{}
	lo, hi := int64(0), int64(0)
	for _, id := range all {
		o := outs[id]
		if o.mergedTo != 0 {
			continue
		}
		ms := make([]incident.Member, len(o.members))
		for i, rid := range o.members {
			ms[i] = incident.Member{Item: *itemOf[rid], Report: details[rid]}
		}
		s := g.Summarize(ms, cons)
		summaries[id] = s
		from, to, _ := g.SensorWindow(s)
		if lo == 0 || from.UnixMicro() < lo {
			lo = from.UnixMicro()
		}
		hi = max(hi, to.UnixMicro())
		o.expl = g.Explain(itemsOf(ms), cons)
		o.corr = g.Corroborate(s, ms, nil)
	}
	sensors := false
	if len(summaries) > 0 {
		var err error
		if sensors, err = t.anyObservations(ctx, fromMicros(lo), fromMicros(hi)); err != nil {
			return err
		}
	}
	for _, id := range all {
		o := outs[id]
		st := IncidentState{ID: id, Version: 1, Status: truce.IncidentAlleged}
		if o.old != nil {
			st = stateOfRow(o.old, o.oldIDs)
			st.Version = o.old.inc.Version + 1
		}
		if o.mergedTo != 0 {
			st.MergedInto, st.ReportIDs = o.mergedTo, []int64{}
			o.state, o.changed = st, o.old == nil || o.old.mergedInto != o.mergedTo
			continue
		}
		s := summaries[id]
		if sensors {
			obs, err := t.sensorObservations(ctx, g, s)
			if err != nil {
				return err
			}
			ms := make([]incident.Member, len(o.members))
			for i, rid := range o.members {
				ms[i] = incident.Member{Item: *itemOf[rid], Report: details[rid]}
			}
			o.corr = g.Corroborate(s, ms, obs)
		}
		st.ReportIDs = o.members
		st.From, st.To = normTime(s.From), normTime(s.To)
		st.Lat, st.Lon, st.RadiusKm = normFloat(s.Lat), normFloat(s.Lon), normFloat(s.RadiusKm)
		st.Admin1, st.ByUnit, st.Hostile = s.Admin1, s.ByUnit, s.Hostile
		st.Domains, st.Targets, st.Perpetrators = normStrings(s.Domains), normStrings(s.Targets), normStrings(s.Perpetrators)
		st.Title, st.Sources, st.Score = s.Title, len(o.corr.Sources), o.corr.Score
		o.state = st
		o.changed = o.old == nil || !sameState(stateOfRow(o.old, o.oldIDs), st)
	}
	return nil
}

func itemsOf(ms []incident.Member) []incident.Item {
	out := make([]incident.Item, len(ms))
	for i, m := range ms {
		out[i] = m.Item
	}
	return out
}

// stateOfRow is the state an incidents row holds, with its reports.
func stateOfRow(r *incidentRow, ids []int64) IncidentState {
	in := r.inc
	if ids == nil {
		ids = []int64{}
	}
	return IncidentState{ID: in.ID, Version: in.Version, Status: in.Status, MergedInto: r.mergedInto, ReportIDs: ids,
		From: in.From, To: in.To, Lat: in.Lat, Lon: in.Lon, RadiusKm: in.RadiusKm, Admin1: in.Admin1, ByUnit: r.byUnit,
		Hostile: r.hostile, Domains: in.Domains, Targets: in.Targets, Perpetrators: in.Perpetrators, Title: in.Title,
		Sources: in.Sources, Score: in.Score}
}

// sameState reports whether two states say the same, whatever their
// version.
func sameState(a, b IncidentState) bool {
	a.Version, b.Version = 0, 0
	x, err1 := marshal(a)
	y, err2 := marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// stateItem is the batch item of a state: the SHA-256 of the
// incident_state leaf it would have had alone.
func stateItem(s IncidentState, at time.Time) (BatchItem, error) {
	data, err := ledger.Encode(KindIncidentState, versionID(strconv.FormatInt(s.ID, 10), s.Version), at, s)
	if err != nil {
		return BatchItem{}, err
	}
	sum := sha256.Sum256(data)
	return BatchItem{ID: s.ID, SHA256: hex.EncodeToString(sum[:])}, nil
}

// writeIncident stores an incident's new state: its row and its logged
// state.
func (t *tx) writeIncident(ctx context.Context, o *outcome, gid int64) error {
	st := o.state
	domains, err := jsonList(st.Domains)
	if err != nil {
		return err
	}
	targets, err := jsonList(st.Targets)
	if err != nil {
		return err
	}
	perps, err := jsonList(st.Perpetrators)
	if err != nil {
		return err
	}
	if domains == nil {
		domains = "[]" // a merged incident keeps its last domains; the column is required
	}
	var merged any
	if st.MergedInto != 0 {
		merged = st.MergedInto
	}
	expl, err := marshal(o.expl)
	if err != nil {
		return err
	}
	corr, err := marshal(o.corr)
	if err != nil {
		return err
	}
	if o.mergedTo != 0 {
		expl, corr = nil, nil
	}
	if o.old == nil {
		err = t.execStmt(ctx, `INSERT INTO incidents (id, status, version, from_us, to_us, lat, lon, radius_km, admin1, domains, targets,
			perpetrators, title, sources, score, created_at_us, updated_at_us, merged_into, hostile, by_unit, explanation, corroboration)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.ID, string(st.Status), st.Version, micros(st.From), micros(st.To), st.Lat, st.Lon, st.RadiusKm, st.Admin1, domains, targets,
			perps, st.Title, st.Sources, st.Score, micros(t.now), micros(t.now), merged, st.Hostile, st.ByUnit, text(expl), text(corr))
	} else {
		err = t.execStmt(ctx, `UPDATE incidents SET version = ?, from_us = ?, to_us = ?, lat = ?, lon = ?, radius_km = ?, admin1 = ?,
			domains = ?, targets = ?, perpetrators = ?, title = ?, sources = ?, score = ?, updated_at_us = ?, merged_into = ?,
			hostile = ?, by_unit = ?, explanation = COALESCE(?, explanation), corroboration = COALESCE(?, corroboration) WHERE id = ?`,
			st.Version, micros(st.From), micros(st.To), st.Lat, st.Lon, st.RadiusKm, st.Admin1, domains, targets, perps, st.Title,
			st.Sources, st.Score, micros(t.now), merged, st.Hostile, st.ByUnit, text(expl), text(corr), st.ID)
	}
	if err != nil {
		return fmt.Errorf("incident %d: %w", st.ID, err)
	}
	data, err := marshal(st)
	if err != nil {
		return err
	}
	if err := t.execStmt(ctx, "INSERT INTO incident_states (incident_id, version, grouping_id, data) VALUES (?, ?, ?, ?)",
		st.ID, st.Version, gid, string(data)); err != nil {
		return fmt.Errorf("incident %d state: %w", st.ID, err)
	}
	return nil
}

// updateDerived stores each incident's explanation and corroboration:
// worked out again from the record, they are not logged.
func (t *tx) updateDerived(ctx context.Context, outs map[int64]*outcome, all []int64) error {
	for _, id := range all {
		o := outs[id]
		if o.mergedTo != 0 {
			continue
		}
		expl, err := marshal(o.expl)
		if err != nil {
			return err
		}
		corr, err := marshal(o.corr)
		if err != nil {
			return err
		}
		if o.changed || (o.old != nil && bytes.Equal(o.old.explanation, expl) && bytes.Equal(o.old.corroboration, corr)) {
			continue // written with the state, or unchanged
		}
		if err := t.execStmt(ctx, "UPDATE incidents SET explanation = ?, corroboration = ? WHERE id = ?", string(expl), string(corr), id); err != nil {
			return fmt.Errorf("incident %d: %w", id, err)
		}
	}
	return nil
}

// moveReports points reports at their new incident. oldOf holds the
// incident of every report grouped (0 for fresh ones); the other members
// of an outcome were in it already.
func (t *tx) moveReports(ctx context.Context, outs map[int64]*outcome, all []int64, oldOf map[int64]int64) error {
	for _, id := range all {
		var moved []int64
		for _, rid := range outs[id].members {
			if old, ok := oldOf[rid]; ok && old != id {
				moved = append(moved, rid)
			}
		}
		for chunk := range slices.Chunk(moved, 500) {
			args := append([]any{id}, int64Args(chunk)...)
			if err := t.execStmt(ctx, "UPDATE reports SET incident_id = ? WHERE id IN ("+placeholders(len(chunk))+")", args...); err != nil {
				return fmt.Errorf("move reports to incident %d: %w", id, err)
			}
		}
	}
	return nil
}

// execStmt runs a statement prepared once per transaction: grouping
// runs the same few statements thousands of times.
func (t *tx) execStmt(ctx context.Context, query string, args ...any) error {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(ctx, args...)
	return err
}

// text is a JSON column's value: NULL for nil.
func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// insertGrouping stores a grouping and the reports its decision names.
func (t *tx) insertGrouping(ctx context.Context, gid int64, gr grouping, rec GroupingRecord, idx int64) error {
	var report, incidents any
	if rec.ReportID != 0 {
		report = rec.ReportID
	}
	if len(rec.Incidents) > 0 {
		b, err := marshal(rec.Incidents)
		if err != nil {
			return err
		}
		incidents = string(b)
	}
	_, err := t.exec(ctx, "INSERT INTO groupings (id, kind, by_user, reason, report_id, incidents, at_us, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		gid, gr.kind, gr.by, gr.reason, report, incidents, micros(t.now), idx)
	if err != nil {
		return fmt.Errorf("grouping: %w", err)
	}
	if len(rec.Reports) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(rec.Reports))
	for _, rid := range rec.Reports {
		args = append(args, gid, rid)
	}
	return t.insert(ctx, "grouping_reports", []string{"grouping_id", "report_id"}, args)
}

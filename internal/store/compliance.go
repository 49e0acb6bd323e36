package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// AsOf is the log at one size: the records whose leaves are below Size,
// and the tree's root there.
type AsOf struct {
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
}

// ResolveAsOf returns the log at size, or at its current size when size
// is negative. It returns EINVALID for a size beyond the log.
func (db *DB) ResolveAsOf(ctx context.Context, size int64) (AsOf, error) {
	n, err := db.LogSize(ctx)
	if err != nil {
		return AsOf{}, err
	}
	if size < 0 {
		size = n
	}
	if size > n {
		return AsOf{}, truce.Invalid("as_of", "log size %d is beyond the log (size %d)", size, n)
	}
	if size == 0 {
		return AsOf{}, nil
	}
	root, err := tlog.TreeHash(size, db.HashReader(ctx))
	if err != nil {
		return AsOf{}, fmt.Errorf("as of %d: %w", size, err)
	}
	return AsOf{Size: size, Root: root}, nil
}

// IncidentAsOf is an incident as it stood at a log size: its latest
// grouping state with the status of its latest workflow step, its
// reports, and its finding against one agreement (nil when it had none).
type IncidentAsOf struct {
	IncidentState
	Reports []truce.Report `json:"-"`
	Finding *truce.Finding `json:"-"`
}

// ComplianceState is what a compliance report reads: one agreement and
// the record around it as it stood at a log size, with nothing logged
// at or after that size.
type ComplianceState struct {
	AsOf      AsOf
	Agreement truce.Agreement
	Parties   []truce.Party // by code
	Incidents []IncidentAsOf
	Claims    []truce.Claim  // the agreement's claims whose period overlaps [From, To)
	Reports   []truce.Report // every report overlapping a claim's period, for the claims' evidence
	Access    []truce.AccessRestriction
	Alerts    []AlertView // the agreement's alerts not cleared at the log size, oldest first
}

// ComplianceState returns the record as it stood when the log had
// asOf.Size leaves, for agreement id and the incidents whose interval
// overlaps [from, to). Rows are chosen by the leaf that logged them
// (log_index), so later records change nothing and the same size always
// gives the same state. It returns ENOTFOUND for an agreement that had
// no version logged by then.
func (db *DB) ComplianceState(ctx context.Context, asOf AsOf, id string, from, to time.Time) (ComplianceState, error) {
	st := ComplianceState{AsOf: asOf}
	n := asOf.Size
	var err error
	if st.Agreement, err = db.AgreementAsOf(ctx, asOf, id); err != nil {
		return st, err
	}
	if st.Parties, err = db.partiesAsOf(ctx, n); err != nil {
		return st, err
	}
	if st.Claims, err = db.claims(ctx, db.ro, "WHERE log_index < ? AND agreement_id = ? AND to_us > ? AND from_us < ? ORDER BY id", n, id, micros(from), micros(to)); err != nil {
		return st, err
	}
	lo, hi := from, to
	for _, c := range st.Claims {
		lo, hi = minTime(lo, c.From), maxTime(hi, c.To)
	}
	if st.Incidents, err = db.incidentsAsOf(ctx, n, id, lo, hi); err != nil {
		return st, err
	}
	if len(st.Claims) > 0 {
		for _, c := range st.Claims {
			rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE log_index < ? AND (t1_us > ? OR t0_us >= ?) AND t0_us < ? ORDER BY id",
				n, micros(c.From), micros(c.From), micros(c.To))
			if err != nil {
				return st, err
			}
			st.Reports = append(st.Reports, rs...)
		}
		slices.SortFunc(st.Reports, func(a, b truce.Report) int { return int(a.ID - b.ID) })
		st.Reports = slices.CompactFunc(st.Reports, func(a, b truce.Report) bool { return a.ID == b.ID })
		for i := range st.Reports {
			st.Reports[i] = asOfReport(st.Reports[i])
		}
	}
	st.Access, err = db.accessRestrictions(ctx, "WHERE log_index < ? AND (agreement_id = ? OR agreement_id IS NULL) AND at_us >= ? AND at_us < ? ORDER BY at_us, id",
		n, id, micros(from), micros(to))
	if err != nil {
		return st, err
	}
	if st.Alerts, err = db.alertsBelow(ctx, AlertFilter{AgreementID: id, Open: true}, n); err != nil {
		return st, err
	}
	slices.Reverse(st.Alerts)
	return st, nil
}

// AgreementAsOf returns the latest version of an agreement logged below
// asOf.Size, or ENOTFOUND.
func (db *DB) AgreementAsOf(ctx context.Context, asOf AsOf, id string) (truce.Agreement, error) {
	var data []byte
	err := db.queryRow(ctx, db.ro, "SELECT data FROM agreement_versions WHERE agreement_id = ? AND log_index < ? ORDER BY version DESC LIMIT 1", id, asOf.Size).Scan(&data)
	if notFound(err) {
		return truce.Agreement{}, truce.Errorf(truce.ENOTFOUND, "agreement %q not found at log size %d", id, asOf.Size)
	}
	if err != nil {
		return truce.Agreement{}, fmt.Errorf("agreement %q: %w", id, err)
	}
	a, err := decodeAgreement(data)
	if err != nil {
		return a, fmt.Errorf("agreement %q: %w", id, err)
	}
	return a, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// asOfReport drops the fields of a report that later records change (its
// incident) or that point at the log, so that a state read at one size
// is the same whenever it is read.
func asOfReport(r truce.Report) truce.Report {
	r.IncidentID = nil
	return r
}

// partiesAsOf returns each party's latest version logged below n.
func (db *DB) partiesAsOf(ctx context.Context, n int64) ([]truce.Party, error) {
	rows, err := db.query(ctx, db.ro, "SELECT code, version, name, aliases FROM party_versions WHERE log_index < ? ORDER BY code, version", n)
	if err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	defer rows.Close()
	var out []truce.Party
	for rows.Next() {
		var p truce.Party
		var v int
		var aliases []byte
		if err := rows.Scan(&p.Code, &v, &p.Name, &aliases); err != nil {
			return nil, fmt.Errorf("parties: %w", err)
		}
		if err := scanList(aliases, &p.Aliases); err != nil {
			return nil, fmt.Errorf("party %s: %w", p.Code, err)
		}
		if len(out) > 0 && out[len(out)-1].Code == p.Code {
			out[len(out)-1] = p
			continue
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// incidentsAsOf returns the incidents that held reports at log size n and
// whose interval overlaps [from, to), by id: each one's latest grouping
// state logged below n, with the status of its latest step below n, its
// reports and its latest finding below n against the agreement.
func (db *DB) incidentsAsOf(ctx context.Context, n int64, agreementID string, from, to time.Time) ([]IncidentAsOf, error) {
	rows, err := db.query(ctx, db.ro, `SELECT s.incident_id, s.version, s.data FROM incident_states s
		JOIN groupings g ON g.id = s.grouping_id WHERE g.log_index < ? ORDER BY s.incident_id, s.version`, n)
	if err != nil {
		return nil, fmt.Errorf("incident states: %w", err)
	}
	latest := map[int64][]byte{}
	var ids []int64
	for rows.Next() {
		var id int64
		var v int
		var data []byte
		if err := rows.Scan(&id, &v, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident states: %w", err)
		}
		if _, ok := latest[id]; !ok {
			ids = append(ids, id)
		}
		latest[id] = data
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("incident states: %w", err)
	}
	var out []IncidentAsOf
	index := map[int64]int{}
	for _, id := range ids {
		var s IncidentState
		if err := json.Unmarshal(latest[id], &s); err != nil {
			return nil, fmt.Errorf("incident %d state: %w", id, err)
		}
		if s.MergedInto != 0 || len(s.ReportIDs) == 0 || !overlapsSpan(s.From, s.To, from, to) {
			continue
		}
		index[id] = len(out)
		out = append(out, IncidentAsOf{IncidentState: s})
	}
	if len(out) == 0 {
		return nil, nil
	}
	// The status of the latest workflow step below n, when it came after
	// the grouping state.
	trows, err := db.query(ctx, db.ro, "SELECT incident_id, version, to_status FROM incident_transitions WHERE log_index < ? ORDER BY id", n)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	for trows.Next() {
		var id int64
		var v int
		var status string
		if err := trows.Scan(&id, &v, &status); err != nil {
			trows.Close()
			return nil, fmt.Errorf("transitions: %w", err)
		}
		if i, ok := index[id]; ok && v > out[i].Version {
			out[i].Version, out[i].Status = v, truce.IncidentStatus(status)
		}
	}
	if err := trows.Close(); err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	frows, err := db.query(ctx, db.ro, `SELECT `+findingCols+` FROM finding_history h
		WHERE h.log_index < ? AND h.agreement_id = ? AND h.subject_kind = ? ORDER BY h.id`, n, agreementID, SubjectIncident)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	for frows.Next() {
		var f truce.Finding
		var at int64
		if err := frows.Scan(&f.AgreementID, &f.AgreementVersion, &f.SubjectKind, &f.SubjectID, &f.Verdict, &f.Party, &f.Reason, &at); err != nil {
			frows.Close()
			return nil, fmt.Errorf("findings: %w", err)
		}
		f.ComputedAt = fromMicros(at)
		if i, ok := index[f.SubjectID]; ok {
			out[i].Finding = &f
		}
	}
	if err := frows.Close(); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	var rids []int64
	for _, inc := range out {
		rids = append(rids, inc.ReportIDs...)
	}
	byID := map[int64]truce.Report{}
	for chunk := range slices.Chunk(rids, 500) {
		rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE id IN ("+placeholders(len(chunk))+")", int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			byID[r.ID] = asOfReport(r)
		}
	}
	for i := range out {
		for _, id := range out[i].ReportIDs {
			if r, ok := byID[id]; ok {
				out[i].Reports = append(out[i].Reports, r)
			}
		}
	}
	return out, nil
}

// overlapsSpan reports whether [from, to) meets [lo, hi); an instant
// counts where it falls.
func overlapsSpan(from, to, lo, hi time.Time) bool {
	if from.Equal(to) {
		return !from.Before(lo) && from.Before(hi)
	}
	return from.Before(hi) && to.After(lo)
}

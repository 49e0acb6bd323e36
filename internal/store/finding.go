package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// Subject kinds of findings.
const (
	SubjectReport   = "report"
	SubjectIncident = "incident"
)

func normFinding(f truce.Finding) (truce.Finding, error) {
	switch {
	case strings.TrimSpace(f.AgreementID) == "":
		return f, truce.Invalid("agreement_id", "required")
	case f.AgreementVersion < 1:
		return f, truce.Invalid("agreement_version", "required")
	case f.SubjectKind != SubjectReport && f.SubjectKind != SubjectIncident:
		return f, truce.Invalid("subject_kind", "unknown subject kind %q (report, incident)", f.SubjectKind)
	case f.SubjectID < 1:
		return f, truce.Invalid("subject_id", "required")
	case f.Verdict != truce.VerdictViolation && f.Verdict != truce.VerdictUncertain && f.Verdict != truce.VerdictOutside:
		return f, truce.Invalid("verdict", "unknown verdict %q (violation, uncertain, outside)", f.Verdict)
	case f.ComputedAt.IsZero():
		return f, truce.Invalid("computed_at", "required")
	}
	f.ComputedAt = normTime(f.ComputedAt)
	if err := checkTime("computed_at", f.ComputedAt); err != nil {
		return f, err
	}
	return f, checkTexts("agreement_id", f.AgreementID, "party", f.Party, "reason", f.Reason)
}

// sameFinding reports whether a finding says what a stored one says; when
// it was computed does not count.
func sameFinding(a, b truce.Finding) bool {
	return a.AgreementVersion == b.AgreementVersion && a.Verdict == b.Verdict && a.Party == b.Party && a.Reason == b.Reason
}

type findingKey struct {
	agreement, kind string
	id              int64
}

func keyOf(f truce.Finding) findingKey { return findingKey{f.AgreementID, f.SubjectKind, f.SubjectID} }

var findingHistoryCols = []string{"id", "agreement_id", "agreement_version", "subject_kind", "subject_id", "verdict", "party", "reason",
	"computed_at_us", "logged_at_us", "log_index"}

// PutFindings stores the verdicts of one adjudication run: one finding
// per (agreement, subject), replacing the stored one. A new finding, or
// one whose verdict, party, reason or agreement version changed, is
// logged; an unchanged one is left as it was (with its first ComputedAt).
// It returns how many were new or changed; EINVALID (field findings[i].…)
// for an invalid finding, a subject listed twice, or an unknown agreement
// version, storing nothing.
func (db *DB) PutFindings(ctx context.Context, fs []truce.Finding) (int, error) {
	if len(fs) == 0 {
		return 0, nil
	}
	norm := make([]truce.Finding, len(fs))
	index := map[findingKey]int{}
	for i, f := range fs {
		f, err := normFinding(f)
		if err != nil {
			return 0, wrapIndexed("findings", i, err)
		}
		if _, dup := index[keyOf(f)]; dup {
			return 0, wrapIndexed("findings", i, truce.Invalid("subject_id", "%s %d listed twice for agreement %q", f.SubjectKind, f.SubjectID, f.AgreementID))
		}
		index[keyOf(f)] = i
		norm[i] = f
	}
	var n int
	err := db.write(ctx, func(t *tx) error {
		versions := map[string]map[int]bool{}
		for i, f := range norm {
			vs, ok := versions[f.AgreementID]
			if !ok {
				var err error
				if vs, err = t.agreementVersions(ctx, f.AgreementID); err != nil {
					return err
				}
				versions[f.AgreementID] = vs
			}
			if !vs[f.AgreementVersion] {
				return wrapIndexed("findings", i, truce.Invalid("agreement_version", "agreement %q has no version %d", f.AgreementID, f.AgreementVersion))
			}
		}
		cur, err := t.currentFindings(ctx, norm)
		if err != nil {
			return err
		}
		var todo []truce.Finding
		var existed []bool
		for _, f := range norm {
			old, ok := cur[keyOf(f)]
			if ok && sameFinding(old, f) {
				continue
			}
			todo = append(todo, f)
			existed = append(existed, ok)
		}
		n = len(todo)
		return t.addFindings(ctx, todo, existed)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// agreementVersions returns the versions an agreement has.
func (t *tx) agreementVersions(ctx context.Context, id string) (map[int]bool, error) {
	rows, err := t.query(ctx, "SELECT version FROM agreement_versions WHERE agreement_id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("agreement versions: %w", err)
	}
	defer rows.Close()
	vs := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("agreement versions: %w", err)
		}
		vs[v] = true
	}
	return vs, rows.Err()
}

const (
	findingCols   = "h.agreement_id, h.agreement_version, h.subject_kind, h.subject_id, h.verdict, h.party, h.reason, h.computed_at_us"
	findingSelect = "SELECT " + findingCols + " FROM findings f JOIN finding_history h ON h.id = f.history_id "
)

// currentFindings returns the stored findings for the subjects of fs.
func (t *tx) currentFindings(ctx context.Context, fs []truce.Finding) (map[findingKey]truce.Finding, error) {
	type group struct{ agreement, kind string }
	ids := map[group][]any{}
	for _, f := range fs {
		g := group{f.AgreementID, f.SubjectKind}
		ids[g] = append(ids[g], f.SubjectID)
	}
	cur := map[findingKey]truce.Finding{}
	for g, all := range ids {
		for len(all) > 0 {
			chunk := all[:min(len(all), 500)]
			all = all[len(chunk):]
			args := append([]any{g.agreement, g.kind}, chunk...)
			found, err := t.db.findings(ctx, t.tx, findingSelect+"WHERE f.agreement_id = ? AND f.subject_kind = ? AND f.subject_id IN ("+placeholders(len(chunk))+")", args...)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				cur[keyOf(f)] = f
			}
		}
	}
	return cur, nil
}

// addFindings logs and stores new finding values; existed says which
// replace a stored finding.
func (t *tx) addFindings(ctx context.Context, fs []truce.Finding, existed []bool) error {
	if len(fs) == 0 {
		return nil
	}
	var incidents []int64
	for _, f := range fs {
		if f.SubjectKind == SubjectIncident {
			incidents = append(incidents, f.SubjectID)
		}
	}
	// The statistics' counts (stats_rollup.go) follow the verdicts.
	return t.rollupAround(ctx, incidents, func() error { return t.storeFindings(ctx, fs, existed) })
}

// storeFindings is addFindings without the statistics' counts.
func (t *tx) storeFindings(ctx context.Context, fs []truce.Finding, existed []bool) error {
	id0, err := t.nextID(ctx, "finding_history")
	if err != nil {
		return err
	}
	ids := make([]int64, len(fs))
	for i := range fs {
		ids[i] = id0 + int64(i)
	}
	leaves, err := encodeLeaves(ledger.KindFinding, ids, func(id int64) (int64, any) { return id, fs[id-id0] }, t.now)
	if err != nil {
		return err
	}
	hist := make([]any, 0, len(fs)*len(findingHistoryCols))
	var fresh []any
	update, err := t.stmt(ctx, "UPDATE findings SET history_id = ? WHERE agreement_id = ? AND subject_kind = ? AND subject_id = ?")
	if err != nil {
		return err
	}
	for i, f := range fs {
		idx, err := t.log.add(ctx, ledger.KindFinding, strconv.FormatInt(ids[i], 10), leaves[i])
		if err != nil {
			return err
		}
		hist = append(hist, ids[i], f.AgreementID, f.AgreementVersion, f.SubjectKind, f.SubjectID, f.Verdict, f.Party, f.Reason,
			micros(f.ComputedAt), micros(t.now), idx)
		if !existed[i] {
			fresh = append(fresh, f.AgreementID, f.SubjectKind, f.SubjectID, ids[i])
		}
	}
	if err := t.insert(ctx, "finding_history", findingHistoryCols, hist); err != nil {
		return err
	}
	for i, f := range fs {
		if existed[i] {
			if _, err := update.ExecContext(ctx, ids[i], f.AgreementID, f.SubjectKind, f.SubjectID); err != nil {
				return fmt.Errorf("update finding: %w", err)
			}
		}
	}
	if len(fresh) > 0 {
		return t.insert(ctx, "findings", []string{"agreement_id", "subject_kind", "subject_id", "history_id"}, fresh)
	}
	return nil
}

// Findings returns the current findings of an agreement, by subject, or
// ENOTFOUND for an unknown agreement.
func (db *DB) Findings(ctx context.Context, agreementID string) ([]truce.Finding, error) {
	if _, err := db.Agreement(ctx, agreementID); err != nil {
		return nil, err
	}
	return db.findings(ctx, db.ro, findingSelect+"WHERE f.agreement_id = ? ORDER BY f.subject_kind, f.subject_id", agreementID)
}

// SubjectFindings returns the current findings on one report or incident,
// against every agreement.
func (db *DB) SubjectFindings(ctx context.Context, kind string, id int64) ([]truce.Finding, error) {
	return db.findings(ctx, db.ro, findingSelect+"WHERE f.subject_kind = ? AND f.subject_id = ? ORDER BY f.agreement_id", kind, id)
}

func (db *DB) findings(ctx context.Context, q querier, query string, args ...any) ([]truce.Finding, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	defer rows.Close()
	var out []truce.Finding
	for rows.Next() {
		var f truce.Finding
		var at int64
		if err := rows.Scan(&f.AgreementID, &f.AgreementVersion, &f.SubjectKind, &f.SubjectID, &f.Verdict, &f.Party, &f.Reason, &at); err != nil {
			return nil, fmt.Errorf("findings: %w", err)
		}
		f.ComputedAt = fromMicros(at)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	return out, nil
}

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// normAgreement returns a as it will be stored, without its version.
// Party codes are checked later, against the stored parties.
func normAgreement(a truce.Agreement) (truce.Agreement, error) {
	a.Version = 0
	a.DeclaredBy = normStrings(a.DeclaredBy)
	if a.Area != nil {
		area := *a.Area
		area.Countries = normStrings(area.Countries)
		area.Admin1 = normStrings(area.Admin1)
		g := bytes.TrimSpace(area.GeoJSON)
		switch {
		case len(g) == 0 || string(g) == "null":
			area.GeoJSON = nil
		case !json.Valid(g):
			return a, truce.Invalid("area.geojson", "not valid JSON")
		case !canonical(g):
			return a, truce.Invalid("area.geojson", "a number out of range")
		default:
			var c bytes.Buffer
			json.Compact(&c, g) // valid, so no error
			area.GeoJSON = c.Bytes()
		}
		a.Area = &area
		if area.IsEmpty() { // an empty area is everywhere, like none
			a.Area = nil
		}
	}
	if len(a.Sources) == 0 {
		a.Sources = nil
	}
	if a.Monitoring != nil {
		m := *a.Monitoring
		m.Lead, m.Supporting = normStrings(m.Lead), normStrings(m.Supporting)
		a.Monitoring = &m
		if m.Lead == nil && m.Supporting == nil && m.Notes == "" {
			a.Monitoring = nil
		}
	}
	a.Consequences = slices.Clone(a.Consequences) // not the caller's array
	if len(a.Consequences) == 0 {
		a.Consequences = nil
	}
	for i := range a.Consequences {
		a.Consequences[i].By = normStrings(a.Consequences[i].By)
	}
	if err := checkStrings(a); err != nil {
		return a, err
	}
	return a, nil
}

// sameTerms reports whether two agreements differ in nothing but Version.
// Their area GeoJSON is compared in canonical form (see canonicalJSON), so
// that the same geometry sent again, with its keys in another order or its
// numbers written otherwise, is not a new version.
func sameTerms(a, b truce.Agreement) (bool, error) {
	a.Version, b.Version = 0, 0
	for _, x := range []*truce.Agreement{&a, &b} {
		if x.Area == nil || x.Area.GeoJSON == nil {
			continue
		}
		// A copy, not the caller's area; JSON canonicalJSON cannot read is
		// compared as it is.
		area := *x.Area
		if c, err := canonicalJSON(area.GeoJSON); err == nil {
			area.GeoJSON = c
		}
		x.Area = &area
	}
	ja, err := marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := marshal(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// canonicalJSON re-encodes a JSON value deterministically: object keys
// sorted, no whitespace, every number as the float64 it denotes in its
// shortest form (37, 37.0 and 3.7e1 are all 37). Geometry is read as
// float64 everywhere (internal/geo), so numbers equal as float64 are the
// same coordinates. Of duplicate keys the last counts, as when decoding.
func canonicalJSON(raw []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v) // map keys sorted; float64s in shortest form
}

// canonical reports whether canonicalJSON can read valid JSON g: not if a
// number is beyond float64's range.
func canonical(g []byte) bool {
	_, err := canonicalJSON(g)
	return err == nil
}

func decodeAgreement(data []byte) (truce.Agreement, error) {
	var a truce.Agreement
	if err := json.Unmarshal(data, &a); err != nil {
		return a, err
	}
	// A RawMessage decodes JSON null as the bytes "null", not as nil.
	if a.Area != nil && string(a.Area.GeoJSON) == "null" {
		a.Area.GeoJSON = nil
	}
	return a, nil
}

const agreementSelect = `SELECT v.data FROM agreements a
	JOIN agreement_versions v ON v.agreement_id = a.id AND v.version = a.version`

// Agreements returns the latest version of every agreement, in the order
// they were first stored.
func (db *DB) Agreements(ctx context.Context) ([]truce.Agreement, error) {
	return db.agreements(ctx, db.ro, agreementSelect+" ORDER BY a.seq")
}

// Agreement returns the latest version of an agreement, or ENOTFOUND.
func (db *DB) Agreement(ctx context.Context, id string) (truce.Agreement, error) {
	return db.agreement(ctx, db.ro, id)
}

func (db *DB) agreement(ctx context.Context, q querier, id string) (truce.Agreement, error) {
	as, err := db.agreements(ctx, q, agreementSelect+" WHERE a.id = ?", id)
	if err != nil {
		return truce.Agreement{}, err
	}
	if len(as) == 0 {
		return truce.Agreement{}, truce.Errorf(truce.ENOTFOUND, "agreement %q not found", id)
	}
	return as[0], nil
}

// AgreementVersions returns every version of an agreement, oldest first,
// or ENOTFOUND.
func (db *DB) AgreementVersions(ctx context.Context, id string) ([]truce.Agreement, error) {
	as, err := db.agreements(ctx, db.ro, "SELECT data FROM agreement_versions WHERE agreement_id = ? ORDER BY version", id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %q not found", id)
	}
	return as, nil
}

func (db *DB) agreements(ctx context.Context, q querier, query string, args ...any) ([]truce.Agreement, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	defer rows.Close()
	var out []truce.Agreement
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("agreements: %w", err)
		}
		a, err := decodeAgreement(data)
		if err != nil {
			return nil, fmt.Errorf("agreements: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	return out, nil
}

// PutAgreement stores an agreement: a new one as version 1, a changed one
// (any field but Version) as the next version, keeping the old ones; an
// unchanged one changes nothing. A status that differs from the previous
// version's is also recorded in the status history. It returns the
// version now latest and whether it is new; EINVALID for an invalid
// agreement or one naming unknown parties.
func (db *DB) PutAgreement(ctx context.Context, a truce.Agreement, by string) (int, bool, error) {
	a, err := normAgreement(a)
	if err != nil {
		return 0, false, err
	}
	var version int
	var res putResult
	err = db.write(ctx, func(t *tx) error {
		codes, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		if err := a.Validate(codes); err != nil {
			return err
		}
		version, res, err = t.putAgreement(ctx, a, by, "agreement update")
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return version, res != unchanged, nil
}

// putAgreement stores a normalized, validated agreement.
func (t *tx) putAgreement(ctx context.Context, a truce.Agreement, by, reason string) (int, putResult, error) {
	cur, err := t.db.agreement(ctx, t.tx, a.ID)
	res := added
	switch {
	case truce.ErrorCode(err) == truce.ENOTFOUND:
	case err != nil:
		return 0, 0, err
	default:
		same, err := sameTerms(cur, a)
		if err != nil {
			return 0, 0, err
		}
		if same {
			return cur.Version, unchanged, nil
		}
		res = changed
	}
	a.Version = cur.Version + 1
	if err := t.addAgreementVersion(ctx, a, by, res == added); err != nil {
		return 0, 0, err
	}
	if res == added || cur.Status != a.Status {
		c := truce.StatusChange{AgreementID: a.ID, Status: a.Status, At: t.now, Reason: reason, By: by}
		if err := t.addStatusChange(ctx, c); err != nil {
			return 0, 0, err
		}
	}
	return a.Version, res, nil
}

// addAgreementVersion logs and stores a.Version of a.
func (t *tx) addAgreementVersion(ctx context.Context, a truce.Agreement, by string, first bool) error {
	idx, err := t.log.appendLeaf(ctx, ledger.KindAgreementVersion, versionID(a.ID, a.Version), a)
	if err != nil {
		return err
	}
	data, err := marshal(a)
	if err != nil {
		return fmt.Errorf("agreement %s: %w", a.ID, err)
	}
	if first {
		seq, err := t.nextSeq(ctx, "agreements")
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO agreements (id, seq, version, status) VALUES (?, ?, ?, ?)", a.ID, seq, a.Version, string(a.Status))
		if err != nil {
			return fmt.Errorf("agreement %s: %w", a.ID, err)
		}
	} else if _, err := t.exec(ctx, "UPDATE agreements SET version = ?, status = ? WHERE id = ?", a.Version, string(a.Status), a.ID); err != nil {
		return fmt.Errorf("agreement %s: %w", a.ID, err)
	}
	_, err = t.exec(ctx, `INSERT INTO agreement_versions (agreement_id, version, data, created_at_us, created_by, log_index)
		VALUES (?, ?, ?, ?, ?, ?)`, a.ID, a.Version, string(data), micros(t.now), by, idx)
	if err != nil {
		return fmt.Errorf("agreement %s version %d: %w", a.ID, a.Version, err)
	}
	return nil
}

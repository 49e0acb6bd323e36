package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// CreatePrecondition stores a precondition as version 1 and logs it,
// filling in its ID and Version. One with the same party, action, required
// condition and date as a stored one is not stored again: *p becomes the
// stored one (its latest version) and created is false. It returns
// EINVALID for an invalid precondition, or one naming an unknown party,
// issue, agreement or statement (the field says which).
func (db *DB) CreatePrecondition(ctx context.Context, p *truce.Precondition, by string) (created bool, err error) {
	n := *p
	n.ID, n.Version = 0, 0
	if err := checkStrings(n); err != nil {
		return false, err
	}
	var stored truce.Precondition
	err = db.write(ctx, func(t *tx) error {
		if err := t.checkPrecondition(ctx, n); err != nil {
			return err
		}
		key := dedupeKey(n.Party, n.Action.Key(), n.Requires.Key(), n.Since)
		id, found, err := t.byDedupeKey(ctx, preconditionTable, key)
		if err != nil {
			return err
		}
		if found {
			ps, err := db.preconditions(ctx, t.tx, "WHERE h.id = ?", id)
			if err != nil {
				return err
			}
			stored = ps[0]
			return nil
		}
		if n.ID, err = t.nextID(ctx, "negotiation_preconditions"); err != nil {
			return err
		}
		n.Version = 1
		stored, created = n, true
		return t.putVersion(ctx, preconditionTable, n.ID, 1, n, by, key)
	})
	if err != nil {
		return false, err
	}
	*p = stored
	return created, nil
}

func (t *tx) checkPrecondition(ctx context.Context, p truce.Precondition) error {
	parties, err := t.partyCodes(ctx)
	if err != nil {
		return err
	}
	issues, err := t.issueCodes(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(parties, issues); err != nil {
		return err
	}
	if err := t.checkAgreement(ctx, "action.agreement_id", p.Action.AgreementID); err != nil {
		return err
	}
	if err := t.checkAgreement(ctx, "requires.agreement_id", p.Requires.AgreementID); err != nil {
		return err
	}
	if p.StatementID < 0 {
		return truce.Invalid("statement_id", "must be positive")
	}
	if p.StatementID != 0 {
		ss, err := t.db.statements(ctx, t.tx, "WHERE id = ?", p.StatementID)
		if err != nil {
			return err
		}
		if len(ss) == 0 {
			return truce.Invalid("statement_id", "unknown statement %d", p.StatementID)
		}
	}
	return nil
}

// PreconditionState is what may change about a precondition once stated:
// whether its condition was met or it was withdrawn, since when and why.
type PreconditionState struct {
	Met       bool   `json:"met"`
	Withdrawn bool   `json:"withdrawn"`
	Until     string `json:"until,omitempty"`
	Note      string `json:"note,omitempty"`
}

// SetPreconditionState records a change of a precondition's state as a new,
// logged version and returns the precondition as it now is. A state it
// already has changes nothing. It returns ENOTFOUND for an unknown
// precondition and EINVALID for an inconsistent state.
func (db *DB) SetPreconditionState(ctx context.Context, id int64, s PreconditionState, by string) (truce.Precondition, error) {
	if err := checkStrings(s); err != nil {
		return truce.Precondition{}, err
	}
	var out truce.Precondition
	err := db.write(ctx, func(t *tx) error {
		ps, err := db.preconditions(ctx, t.tx, "WHERE h.id = ?", id)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return truce.Errorf(truce.ENOTFOUND, "precondition %d not found", id)
		}
		cur := ps[0]
		n := cur
		n.Met, n.Withdrawn, n.Until, n.Note = s.Met, s.Withdrawn, s.Until, s.Note
		if err := t.checkPrecondition(ctx, n); err != nil {
			return err
		}
		out = cur
		if same, err := sameRecord(cur, n); err != nil || same {
			return err
		}
		n.Version = cur.Version + 1
		out = n
		return t.putVersion(ctx, preconditionTable, n.ID, n.Version, n, by, "")
	})
	return out, err
}

// Preconditions returns the latest version of every precondition, by id.
func (db *DB) Preconditions(ctx context.Context) ([]truce.Precondition, error) {
	return db.preconditions(ctx, db.ro, "")
}

// Precondition returns the latest version of a precondition, or ENOTFOUND.
func (db *DB) Precondition(ctx context.Context, id int64) (truce.Precondition, error) {
	ps, err := db.preconditions(ctx, db.ro, "WHERE h.id = ?", id)
	if err != nil {
		return truce.Precondition{}, err
	}
	if len(ps) == 0 {
		return truce.Precondition{}, truce.Errorf(truce.ENOTFOUND, "precondition %d not found", id)
	}
	return ps[0], nil
}

// PreconditionVersions returns every version of a precondition, oldest
// first, or ENOTFOUND.
func (db *DB) PreconditionVersions(ctx context.Context, id int64) ([]truce.Precondition, error) {
	ds, err := db.history(ctx, preconditionTable, id)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.Precondition](ds)
}

func (db *DB) preconditions(ctx context.Context, q querier, where string, args ...any) ([]truce.Precondition, error) {
	ds, err := db.latest(ctx, q, preconditionTable, where, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.Precondition](ds)
}

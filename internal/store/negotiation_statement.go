package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// CreateStatement stores a statement and logs it, filling in its ID and
// RecordedAt. A statement with the same party, issue, stance, date and
// quote as a stored one is not stored again: *s becomes the stored one and
// created is false. It returns EINVALID for an invalid statement, or one
// naming an unknown party, issue, agreement or claim.
func (db *DB) CreateStatement(ctx context.Context, s *truce.Statement) (created bool, err error) {
	n := *s
	n.ID, n.RecordedAt = 0, time.Time{}
	if err := checkStrings(n); err != nil {
		return false, err
	}
	var stored truce.Statement
	err = db.write(ctx, func(t *tx) error {
		parties, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		issues, err := t.issueCodes(ctx)
		if err != nil {
			return err
		}
		if err := n.Validate(parties, issues); err != nil {
			return err
		}
		if err := t.checkAgreement(ctx, "agreement_id", n.AgreementID); err != nil {
			return err
		}
		if n.ClaimID != 0 {
			cs, err := db.claims(ctx, t.tx, "WHERE id = ?", n.ClaimID)
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				return truce.Invalid("claim_id", "unknown claim %d", n.ClaimID)
			}
		}
		key := dedupeKey(n.Party, n.Issue, n.Stance, n.Date, strings.TrimSpace(n.Quote))
		ss, err := db.statements(ctx, t.tx, "WHERE dedupe_key = ?", key)
		if err != nil {
			return err
		}
		if len(ss) > 0 {
			stored = ss[0]
			return nil
		}
		if n.ID, err = t.nextID(ctx, "negotiation_statements"); err != nil {
			return err
		}
		n.RecordedAt = t.now
		idx, err := t.log.appendLeaf(ctx, KindNegotiationStatement, formatID(n.ID), n)
		if err != nil {
			return err
		}
		data, err := marshal(n)
		if err != nil {
			return fmt.Errorf("statement: %w", err)
		}
		_, err = t.exec(ctx, `INSERT INTO negotiation_statements (id, dedupe_key, party, issue, date, data, recorded_at_us, log_index)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, key, n.Party, n.Issue, n.Date, string(data), micros(n.RecordedAt), idx)
		if err != nil {
			return fmt.Errorf("statement: %w", err)
		}
		stored, created = n, true
		return nil
	})
	if err != nil {
		return false, err
	}
	*s = stored
	return created, nil
}

// StatementFilter selects statements; empty fields select all.
type StatementFilter struct {
	Party string
	Issue string
}

// Statements returns the statements matching f, by date and then id.
func (db *DB) Statements(ctx context.Context, f StatementFilter) ([]truce.Statement, error) {
	var conds []string
	var args []any
	if f.Party != "" {
		conds, args = append(conds, "party = ?"), append(args, f.Party)
	}
	if f.Issue != "" {
		conds, args = append(conds, "issue = ?"), append(args, f.Issue)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	return db.statements(ctx, db.ro, where+" ORDER BY date, id", args...)
}

// Statement returns one statement, or ENOTFOUND.
func (db *DB) Statement(ctx context.Context, id int64) (truce.Statement, error) {
	ss, err := db.statements(ctx, db.ro, "WHERE id = ?", id)
	if err != nil {
		return truce.Statement{}, err
	}
	if len(ss) == 0 {
		return truce.Statement{}, truce.Errorf(truce.ENOTFOUND, "statement %d not found", id)
	}
	return ss[0], nil
}

func (db *DB) statements(ctx context.Context, q querier, where string, args ...any) ([]truce.Statement, error) {
	rows, err := db.query(ctx, q, "SELECT data FROM negotiation_statements "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	defer rows.Close()
	var out []truce.Statement
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("statements: %w", err)
		}
		var s truce.Statement
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("statements: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// claimKey identifies a claim for deduplication: who accuses whom of what
// over which period.
func claimKey(c truce.Claim) string {
	b, _ := json.Marshal([]any{c.Claimant, c.Accused, micros(c.From), micros(c.To), c.Summary})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CreateClaim stores a claim and logs it, filling in its ID and
// RecordedAt. A claim with the same claimant, accused, period and summary
// as a stored one is not stored again: *c becomes the stored claim and
// created is false. It returns EINVALID for an invalid claim, one naming
// unknown parties or an unknown agreement.
func (db *DB) CreateClaim(ctx context.Context, c *truce.Claim) (created bool, err error) {
	n := *c
	n.ID, n.RecordedAt = 0, time.Time{}
	n.From, n.To = normTime(n.From), normTime(n.To)
	if len(n.Means) == 0 {
		n.Means = nil
	}
	if err := checkStrings(n); err != nil {
		return false, err
	}
	var stored truce.Claim
	err = db.write(ctx, func(t *tx) error {
		codes, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		if err := n.Validate(codes); err != nil {
			return err
		}
		if err := checkTime("from", n.From); err != nil {
			return err
		}
		if err := checkTime("to", n.To); err != nil {
			return err
		}
		var agreement any
		if n.AgreementID != "" {
			if _, err := t.db.agreement(ctx, t.tx, n.AgreementID); err != nil {
				if truce.ErrorCode(err) == truce.ENOTFOUND {
					return truce.Invalid("agreement_id", "unknown agreement %q", n.AgreementID)
				}
				return err
			}
			agreement = n.AgreementID
		}
		key := claimKey(n)
		cs, err := t.db.claims(ctx, t.tx, "WHERE dedupe_key = ?", key)
		if err != nil {
			return err
		}
		if len(cs) > 0 {
			stored, created = cs[0], false
			return nil
		}
		if n.ID, err = t.nextID(ctx, "claims"); err != nil {
			return err
		}
		n.RecordedAt = t.now
		idx, err := t.log.appendLeaf(ctx, ledger.KindClaim, strconv.FormatInt(n.ID, 10), n)
		if err != nil {
			return err
		}
		means, err := jsonList(n.Means)
		if err != nil {
			return err
		}
		source, err := marshal(n.Source)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO claims (id, dedupe_key, claimant, accused, agreement_id, from_us, to_us, means, summary,
			source, illustrative, recorded_at_us, recorded_by, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, key, n.Claimant, n.Accused, agreement, micros(n.From), micros(n.To), means, n.Summary,
			string(source), n.Illustrative, micros(n.RecordedAt), n.RecordedBy, idx)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		stored, created = n, true
		return nil
	})
	if err != nil {
		return false, err
	}
	*c = stored
	return created, nil
}

// Claims returns every claim, by id.
func (db *DB) Claims(ctx context.Context) ([]truce.Claim, error) {
	return db.claims(ctx, db.ro, "ORDER BY id")
}

// Claim returns one claim, or ENOTFOUND.
func (db *DB) Claim(ctx context.Context, id int64) (truce.Claim, error) {
	cs, err := db.claims(ctx, db.ro, "WHERE id = ?", id)
	if err != nil {
		return truce.Claim{}, err
	}
	if len(cs) == 0 {
		return truce.Claim{}, truce.Errorf(truce.ENOTFOUND, "claim %d not found", id)
	}
	return cs[0], nil
}

func (db *DB) claims(ctx context.Context, q querier, where string, args ...any) ([]truce.Claim, error) {
	rows, err := db.query(ctx, q, `SELECT id, claimant, accused, agreement_id, from_us, to_us, means, summary, source,
		illustrative, recorded_at_us, recorded_by FROM claims `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	defer rows.Close()
	var out []truce.Claim
	for rows.Next() {
		var c truce.Claim
		var agreement *string
		var from, to, at int64
		var means, source []byte
		err := rows.Scan(&c.ID, &c.Claimant, &c.Accused, &agreement, &from, &to, &means, &c.Summary, &source,
			&c.Illustrative, &at, &c.RecordedBy)
		if err != nil {
			return nil, fmt.Errorf("claims: %w", err)
		}
		if agreement != nil {
			c.AgreementID = *agreement
		}
		c.From, c.To, c.RecordedAt = fromMicros(from), fromMicros(to), fromMicros(at)
		if err := scanList(means, &c.Means); err != nil {
			return nil, fmt.Errorf("claim %d: means: %w", c.ID, err)
		}
		if err := json.Unmarshal(source, &c.Source); err != nil {
			return nil, fmt.Errorf("claim %d: source: %w", c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return out, nil
}

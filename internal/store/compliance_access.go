package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// KindAccessRestriction is the leaf of a monitors' record that they were
// denied access to a place (record truce.AccessRestriction, id its id).
const KindAccessRestriction = "access_restriction"

// CreateAccessRestriction records and logs that monitors were denied
// access to a place, filling in its ID and RecordedAt. It returns
// EINVALID for an invalid record or an unknown agreement.
func (db *DB) CreateAccessRestriction(ctx context.Context, a *truce.AccessRestriction) error {
	n := *a
	n.ID, n.RecordedAt = 0, time.Time{}
	n.At = normTime(n.At)
	n.Lat, n.Lon = normFloatPtr(n.Lat), normFloatPtr(n.Lon)
	if err := n.Validate(); err != nil {
		return err
	}
	if err := checkTime("at", n.At); err != nil {
		return err
	}
	if err := checkStrings(n); err != nil {
		return err
	}
	err := db.write(ctx, func(t *tx) error {
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
		var err error
		if n.ID, err = t.nextID(ctx, "access_restrictions"); err != nil {
			return err
		}
		n.RecordedAt = t.now
		idx, err := t.log.appendLeaf(ctx, KindAccessRestriction, strconv.FormatInt(n.ID, 10), n)
		if err != nil {
			return err
		}
		data, err := marshal(n)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO access_restrictions (id, agreement_id, at_us, data, log_index) VALUES (?, ?, ?, ?, ?)",
			n.ID, agreement, micros(n.At), string(data), idx)
		if err != nil {
			return fmt.Errorf("access restriction: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*a = n
	return nil
}

// AccessRestrictions returns every access restriction, by time.
func (db *DB) AccessRestrictions(ctx context.Context) ([]truce.AccessRestriction, error) {
	return db.accessRestrictions(ctx, "ORDER BY at_us, id")
}

func (db *DB) accessRestrictions(ctx context.Context, where string, args ...any) ([]truce.AccessRestriction, error) {
	rows, err := db.query(ctx, db.ro, "SELECT data FROM access_restrictions "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("access restrictions: %w", err)
	}
	defer rows.Close()
	var out []truce.AccessRestriction
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("access restrictions: %w", err)
		}
		var a truce.AccessRestriction
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("access restriction: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

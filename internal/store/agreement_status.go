package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// addStatusChange logs and stores a status change. Its log leaf, which
// the public reads, holds a commitment to the name of who made it, not
// the name (see truce.StatusChange); the name and the commitment's salt
// are kept in the row.
func (t *tx) addStatusChange(ctx context.Context, c truce.StatusChange) error {
	id, err := t.nextID(ctx, "status_changes")
	if err != nil {
		return err
	}
	c.ByCommitment, c.BySalt = "", ""
	var salt sql.NullString
	if c.By != "" {
		b := make([]byte, truce.NameSaltSize)
		if _, err := io.ReadFull(t.db.saltSource(), b); err != nil {
			return fmt.Errorf("agreement %s status: salt: %w", c.AgreementID, err)
		}
		salt = sql.NullString{String: hex.EncodeToString(b), Valid: true}
		if c.ByCommitment, err = truce.NameCommitment(salt.String, c.By); err != nil {
			return err
		}
	}
	idx, err := t.log.appendLeaf(ctx, ledger.KindAgreementStatus, strconv.FormatInt(id, 10), statusLeaf(c))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO status_changes (id, agreement_id, status, at_us, reason, by_user, by_salt, logged_at_us, log_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, c.AgreementID, string(c.Status), micros(c.At), c.Reason, c.By, salt, micros(t.now), idx)
	if err != nil {
		return fmt.Errorf("agreement %s status: %w", c.AgreementID, err)
	}
	return nil
}

// saltSource is where the salts of name commitments come from:
// Options.Rand, or crypto/rand.
func (db *DB) saltSource() io.Reader {
	if db.rand != nil {
		return db.rand
	}
	return rand.Reader
}

// statusLeaf is the record a status change's log leaf holds: without the
// salt ever, and without the name where a commitment stands for it. A
// change logged before commitments (no salt) keeps its name: that is how
// its leaf was written.
func statusLeaf(c truce.StatusChange) truce.StatusChange {
	if c.ByCommitment != "" {
		c.By = ""
	}
	c.BySalt = ""
	return c
}

// SetAgreementStatus moves an agreement to a new status: a new version
// with that status, and an entry in the status history. c.At is when the
// status took effect (now if zero); c.By names who made the change (its
// log leaf holds a commitment to the name instead); c.ByCommitment and
// c.BySalt are the store's to fill and ignored. Setting the status it
// already has changes nothing. It returns ENOTFOUND for an unknown
// agreement and EINVALID for an unknown status.
func (db *DB) SetAgreementStatus(ctx context.Context, c truce.StatusChange) error {
	if !slices.Contains(truce.AgreementStatuses, c.Status) {
		return truce.Invalid("status", "unknown status %q", c.Status)
	}
	if strings.TrimSpace(c.AgreementID) == "" {
		return truce.Invalid("agreement_id", "required")
	}
	c.ByCommitment, c.BySalt = "", ""
	if err := checkStrings(c); err != nil {
		return err
	}
	if !c.At.IsZero() {
		if err := checkTime("at", c.At); err != nil {
			return err
		}
		c.At = normTime(c.At)
	}
	return db.write(ctx, func(t *tx) error {
		a, err := t.db.agreement(ctx, t.tx, c.AgreementID)
		if err != nil {
			return err
		}
		if a.Status == c.Status {
			return nil
		}
		if c.At.IsZero() {
			c.At = t.now
		}
		a.Status = c.Status
		a.Version++
		if err := t.addAgreementVersion(ctx, a, c.By, false); err != nil {
			return err
		}
		return t.addStatusChange(ctx, c)
	})
}

// StatusHistory returns an agreement's status changes, oldest first, or
// ENOTFOUND for an unknown agreement. Each names who made it (By) and,
// when its leaf holds a commitment to the name, the commitment and its
// salt: what staff need to prove the name against the public log. Callers
// that serve others must remove all three (feed.Audience.RedactStatusChange):
// with the salt, the commitment gives the name away.
func (db *DB) StatusHistory(ctx context.Context, id string) ([]truce.StatusChange, error) {
	if _, err := db.Agreement(ctx, id); err != nil {
		return nil, err
	}
	cs, _, err := db.statusChanges(ctx, "WHERE agreement_id = ? ORDER BY id", id)
	return cs, err
}

// StatusChange returns the status change of a log leaf (its record id)
// as StatusHistory does, name and salt included, or ENOTFOUND.
func (db *DB) StatusChange(ctx context.Context, id int64) (truce.StatusChange, error) {
	c, _, err := db.statusChange(ctx, id)
	return c, err
}

// statusChange returns a status change and when it was logged.
func (db *DB) statusChange(ctx context.Context, id int64) (truce.StatusChange, time.Time, error) {
	cs, logged, err := db.statusChanges(ctx, "WHERE id = ?", id)
	if err != nil {
		return truce.StatusChange{}, time.Time{}, err
	}
	if len(cs) == 0 {
		return truce.StatusChange{}, time.Time{}, truce.Errorf(truce.ENOTFOUND, "status change %d not found", id)
	}
	return cs[0], fromMicros(logged[0]), nil
}

func (db *DB) statusChanges(ctx context.Context, where string, args ...any) ([]truce.StatusChange, []int64, error) {
	rows, err := db.query(ctx, db.ro, "SELECT agreement_id, status, at_us, reason, by_user, by_salt, logged_at_us FROM status_changes "+where, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("status history: %w", err)
	}
	defer rows.Close()
	var out []truce.StatusChange
	var logged []int64
	for rows.Next() {
		var c truce.StatusChange
		var salt sql.NullString
		var at, loggedAt int64
		if err := rows.Scan(&c.AgreementID, &c.Status, &at, &c.Reason, &c.By, &salt, &loggedAt); err != nil {
			return nil, nil, fmt.Errorf("status history: %w", err)
		}
		c.At = fromMicros(at)
		if salt.Valid {
			c.BySalt = salt.String
			if c.ByCommitment, err = truce.NameCommitment(c.BySalt, c.By); err != nil {
				return nil, nil, fmt.Errorf("status change of agreement %s at %s: %w", c.AgreementID, c.At, err)
			}
		}
		out = append(out, c)
		logged = append(logged, loggedAt)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("status history: %w", err)
	}
	return out, logged, nil
}

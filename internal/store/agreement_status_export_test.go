package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// AddPlainStatusChange stores and logs a status change as the store did
// before migration 0013: its leaf names who made it (by) in the clear, and
// its row has no salt. c.At must be set. Tests use it to hold a database
// with such a leaf, which no code path writes any more.
func (db *DB) AddPlainStatusChange(ctx context.Context, c truce.StatusChange) error {
	return db.write(ctx, func(t *tx) error {
		id, err := t.nextID(ctx, "status_changes")
		if err != nil {
			return err
		}
		c.ByCommitment, c.BySalt = "", ""
		idx, err := t.log.appendLeaf(ctx, ledger.KindAgreementStatus, strconv.FormatInt(id, 10), c)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO status_changes (id, agreement_id, status, at_us, reason, by_user, logged_at_us, log_index)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, c.AgreementID, string(c.Status), micros(c.At), c.Reason, c.By, micros(t.now), idx)
		if err != nil {
			return fmt.Errorf("agreement %s status: %w", c.AgreementID, err)
		}
		return nil
	})
}

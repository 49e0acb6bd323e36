package store

import (
	"context"
	"fmt"
	"time"

	"github.com/truce-monitor/truce"
)

// CreateSession stores the SHA-256 of a new session's secret for a user,
// valid until expires, and drops sessions that have expired, so that the
// table does not grow with every sign-in. ENOTFOUND for an unknown user.
func (db *DB) CreateSession(ctx context.Context, userID int64, hash [32]byte, expires time.Time) error {
	return db.write(ctx, func(t *tx) error {
		if _, err := db.user(ctx, t.tx, "WHERE id = ?", userID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, "DELETE FROM sessions WHERE expires_at_us <= ?", micros(t.now)); err != nil {
			return fmt.Errorf("expire sessions: %w", err)
		}
		_, err := t.exec(ctx, "INSERT INTO sessions (hash, user_id, created_at_us, expires_at_us) VALUES (?, ?, ?, ?)",
			hash[:], userID, micros(t.now), micros(expires))
		if err != nil {
			return fmt.Errorf("session: %w", err)
		}
		return nil
	})
}

// SessionUser returns the user of the session with the SHA-256 hash:
// EUNAUTHORIZED for an unknown or expired session, or a disabled user.
func (db *DB) SessionUser(ctx context.Context, hash [32]byte) (truce.User, error) {
	u, err := db.user(ctx, db.ro, "WHERE id = (SELECT user_id FROM sessions WHERE hash = ? AND expires_at_us > ?)", hash[:], micros(db.now()))
	if truce.ErrorCode(err) == truce.ENOTFOUND || (err == nil && u.Disabled) {
		return truce.User{}, truce.Errorf(truce.EUNAUTHORIZED, "session expired or signed out: sign in again")
	}
	return u, err
}

// DeleteSession ends a session (signing out); an unknown one is fine.
func (db *DB) DeleteSession(ctx context.Context, hash [32]byte) error {
	return db.write(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "DELETE FROM sessions WHERE hash = ?", hash[:]); err != nil {
			return fmt.Errorf("session: %w", err)
		}
		return nil
	})
}

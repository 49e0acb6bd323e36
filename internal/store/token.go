package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/truce-monitor/truce"
)

// CreateToken stores the SHA-256 of a new API token of a user and
// returns the token's id; ENOTFOUND for an unknown user.
func (db *DB) CreateToken(ctx context.Context, userID int64, hash [32]byte) (int64, error) {
	var id int64
	err := db.write(ctx, func(t *tx) error {
		if _, err := db.user(ctx, t.tx, "WHERE id = ?", userID); err != nil {
			return err
		}
		var err error
		if id, err = t.nextID(ctx, "api_tokens"); err != nil {
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO api_tokens (id, user_id, hash, created_at_us) VALUES (?, ?, ?, ?)", id, userID, hash[:], micros(t.now))
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		return nil
	})
	return id, err
}

// TokenUser returns the user of the token with the SHA-256 hash:
// EUNAUTHORIZED for an unknown or revoked token, or a disabled user.
func (db *DB) TokenUser(ctx context.Context, hash [32]byte) (truce.User, error) {
	u, err := db.user(ctx, db.ro, "WHERE id = (SELECT user_id FROM api_tokens WHERE hash = ? AND revoked_at_us IS NULL)", hash[:])
	if truce.ErrorCode(err) == truce.ENOTFOUND || (err == nil && u.Disabled) {
		return truce.User{}, truce.Errorf(truce.EUNAUTHORIZED, "unknown or revoked token")
	}
	return u, err
}

// TokenID returns the id of the token with the SHA-256 hash, revoked or
// not; ENOTFOUND for none.
func (db *DB) TokenID(ctx context.Context, hash [32]byte) (int64, error) {
	var id int64
	err := db.queryRow(ctx, db.ro, "SELECT id FROM api_tokens WHERE hash = ?", hash[:]).Scan(&id)
	if notFound(err) {
		return 0, truce.Errorf(truce.ENOTFOUND, "no such token")
	}
	if err != nil {
		return 0, fmt.Errorf("token: %w", err)
	}
	return id, nil
}

// RevokeToken revokes a token by id, for good; revoking it again changes
// nothing. ENOTFOUND for an unknown id.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	return db.write(ctx, func(t *tx) error {
		var revoked sql.NullInt64
		err := t.queryRow(ctx, "SELECT revoked_at_us FROM api_tokens WHERE id = ?", id).Scan(&revoked)
		if notFound(err) {
			return truce.Errorf(truce.ENOTFOUND, "token %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("token %d: %w", id, err)
		}
		if revoked.Valid {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE api_tokens SET revoked_at_us = ? WHERE id = ?", micros(t.now), id); err != nil {
			return fmt.Errorf("token %d: %w", id, err)
		}
		return nil
	})
}

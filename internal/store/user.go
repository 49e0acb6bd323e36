package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// Users and their credentials (see migrations/0004_auth.sql). A user is
// a logged record, every version of it (leaf kind user, record id
// "id@version", the truce.User); its credentials are not, so that the
// public log never holds even a hash of a secret.

const userCols = "id, name, role, party, disabled, created_at_us"

// CreateUser stores a new user and logs it, filling in u's ID and
// CreatedAt. passwordHash is an argon2id PHC string (internal/auth), or
// "" for a user who signs in with API tokens only. It returns EINVALID
// for an invalid user or a liaison of an unknown party, and ECONFLICT if
// the name is taken.
func (db *DB) CreateUser(ctx context.Context, u *truce.User, passwordHash, by string) error {
	n := *u
	n.ID, n.CreatedAt = 0, n.CreatedAt.UTC()
	if err := n.Validate(); err != nil {
		return err
	}
	if err := checkTexts("by", by, "password", passwordHash); err != nil {
		return err
	}
	err := db.write(ctx, func(t *tx) error {
		if err := t.checkUserParty(ctx, n); err != nil {
			return err
		}
		var taken int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE name = ?", n.Name).Scan(&taken); err != nil {
			return fmt.Errorf("user %s: %w", n.Name, err)
		}
		if taken > 0 {
			return truce.Errorf(truce.ECONFLICT, "user %q exists", n.Name)
		}
		id, err := t.nextID(ctx, "users")
		if err != nil {
			return err
		}
		n.ID, n.CreatedAt = id, t.now
		_, err = t.exec(ctx, "INSERT INTO users (id, name, version, role, party, disabled, password_hash, created_at_us) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
			n.ID, n.Name, string(n.Role), nullString(n.Party), n.Disabled, nullString(passwordHash), micros(n.CreatedAt))
		if err != nil {
			return fmt.Errorf("user %s: %w", n.Name, err)
		}
		return t.addUserVersion(ctx, n, 1, by)
	})
	if err != nil {
		return err
	}
	*u = n
	return nil
}

// UpdateUser changes a user's role, party or disabled flag (found by
// u.ID; the name and creation time stay) and logs the new version. An
// unchanged user changes nothing. It returns the user as stored;
// ENOTFOUND for an unknown user, EINVALID for an invalid one.
func (db *DB) UpdateUser(ctx context.Context, u truce.User, by string) (truce.User, error) {
	var out truce.User
	err := db.write(ctx, func(t *tx) error {
		cur, err := db.user(ctx, t.tx, "WHERE id = ?", u.ID)
		if err != nil {
			return err
		}
		n := cur
		n.Role, n.Party, n.Disabled = u.Role, u.Party, u.Disabled
		if err := n.Validate(); err != nil {
			return err
		}
		if n == cur {
			out = cur
			return nil
		}
		if err := t.checkUserParty(ctx, n); err != nil {
			return err
		}
		var version int
		if err := t.queryRow(ctx, "SELECT version + 1 FROM users WHERE id = ?", n.ID).Scan(&version); err != nil {
			return fmt.Errorf("user %d: %w", n.ID, err)
		}
		_, err = t.exec(ctx, "UPDATE users SET version = ?, role = ?, party = ?, disabled = ? WHERE id = ?",
			version, string(n.Role), nullString(n.Party), n.Disabled, n.ID)
		if err != nil {
			return fmt.Errorf("user %d: %w", n.ID, err)
		}
		if n.Disabled {
			// A disabled user is signed out everywhere at once.
			if _, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", n.ID); err != nil {
				return fmt.Errorf("user %d: sessions: %w", n.ID, err)
			}
		}
		out = n
		return t.addUserVersion(ctx, n, version, by)
	})
	return out, err
}

func (t *tx) checkUserParty(ctx context.Context, u truce.User) error {
	if u.Party == "" {
		return nil
	}
	codes, err := t.partyCodes(ctx)
	if err != nil {
		return err
	}
	if !codes[u.Party] {
		return truce.Invalid("party", "unknown party %q", u.Party)
	}
	return nil
}

// addUserVersion logs a version of a user and keeps it for re-reading.
func (t *tx) addUserVersion(ctx context.Context, u truce.User, version int, by string) error {
	rid := versionID(strconv.FormatInt(u.ID, 10), version)
	idx, err := t.log.appendLeaf(ctx, ledger.KindUser, rid, u)
	if err != nil {
		return err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("user %d: %w", u.ID, err)
	}
	_, err = t.exec(ctx, "INSERT INTO user_versions (user_id, version, data, by_user, at_us, log_index) VALUES (?, ?, ?, ?, ?, ?)",
		u.ID, version, string(data), by, micros(t.now), idx)
	if err != nil {
		return fmt.Errorf("user %d version %d: %w", u.ID, version, err)
	}
	return nil
}

// userVersion re-reads a logged version of a user, for verification.
func (db *DB) userVersion(ctx context.Context, id int64, version int) (truce.User, int64, error) {
	var data string
	var at int64
	err := db.queryRow(ctx, db.ro, "SELECT data, at_us FROM user_versions WHERE user_id = ? AND version = ?", id, version).Scan(&data, &at)
	if notFound(err) {
		return truce.User{}, 0, truce.Errorf(truce.ENOTFOUND, "user %d version %d not found", id, version)
	}
	if err != nil {
		return truce.User{}, 0, fmt.Errorf("user %d version %d: %w", id, version, err)
	}
	var u truce.User
	if err := json.Unmarshal([]byte(data), &u); err != nil {
		return truce.User{}, 0, fmt.Errorf("user %d version %d: %w", id, version, err)
	}
	return u, at, nil
}

// userRecord reads the record of a user leaf, "id@version".
func (db *DB) userRecord(ctx context.Context, rid string) (truce.User, int64, error) {
	ids, v, err := splitVersion(rid)
	if err != nil {
		return truce.User{}, 0, err
	}
	id, err := parseID(ids)
	if err != nil {
		return truce.User{}, 0, err
	}
	return db.userVersion(ctx, id, v)
}

// User returns the user with the name, or ENOTFOUND.
func (db *DB) User(ctx context.Context, name string) (truce.User, error) {
	return db.user(ctx, db.ro, "WHERE name = ?", name)
}

// UserByID returns the user with the id, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id int64) (truce.User, error) {
	return db.user(ctx, db.ro, "WHERE id = ?", id)
}

// Users returns every user by id.
func (db *DB) Users(ctx context.Context) ([]truce.User, error) {
	return db.users(ctx, db.ro, "SELECT "+userCols+" FROM users ORDER BY id")
}

func (db *DB) user(ctx context.Context, q querier, where string, args ...any) (truce.User, error) {
	us, err := db.users(ctx, q, "SELECT "+userCols+" FROM users "+where, args...)
	if err != nil {
		return truce.User{}, err
	}
	if len(us) == 0 {
		return truce.User{}, truce.Errorf(truce.ENOTFOUND, "user not found")
	}
	return us[0], nil
}

func (db *DB) users(ctx context.Context, q querier, query string, args ...any) ([]truce.User, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []truce.User
	for rows.Next() {
		var u truce.User
		var role string
		var party sql.NullString
		var created int64
		if err := rows.Scan(&u.ID, &u.Name, &role, &party, &u.Disabled, &created); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		u.Role, u.Party, u.CreatedAt = truce.Role(role), party.String, fromMicros(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password hash (an argon2id PHC string;
// "" removes password sign-in) and ends the user's sessions, so that a
// changed password locks out whoever had the old one. It is not logged:
// it changes a credential, not the record. ENOTFOUND for an unknown user.
func (db *DB) SetPassword(ctx context.Context, name, passwordHash string) error {
	if err := checkText("password", passwordHash); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		u, err := db.user(ctx, t.tx, "WHERE name = ?", name)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", nullString(passwordHash), u.ID); err != nil {
			return fmt.Errorf("user %s: %w", name, err)
		}
		if _, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
			return fmt.Errorf("user %s: sessions: %w", name, err)
		}
		return nil
	})
}

// PasswordHash returns a user and its password hash ("" when it has
// none), for signing in; ENOTFOUND for an unknown user.
func (db *DB) PasswordHash(ctx context.Context, name string) (truce.User, string, error) {
	u, err := db.User(ctx, name)
	if err != nil {
		return u, "", err
	}
	var hash sql.NullString
	if err := db.queryRow(ctx, db.ro, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash); err != nil {
		return u, "", fmt.Errorf("user %s: %w", name, err)
	}
	return u, hash.String, nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

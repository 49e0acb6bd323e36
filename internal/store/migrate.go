package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Migrations are numbered files, NNNN_name.sql, shared by both dialects.
// Where SQL must differ, NNNN_name-sqlite.sql or NNNN_name-postgres.sql
// takes the place of the shared file for that dialect. Once a migration
// has landed it is never edited: a change is a new number.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// sqliteTypes maps the shared files' PostgreSQL types to SQLite's: the
// only two differences the schema needs.
var sqliteTypes = strings.NewReplacer(
	"BIGINT PRIMARY KEY", "INTEGER PRIMARY KEY", // a rowid alias: no second index
	"BYTEA", "BLOB",
)

type migration struct {
	version string // "0001_init"
	sql     string
}

// migrations returns the dialect's migrations in order.
func migrations(dialect string) ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	byVersion := map[string]string{} // version → file
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".sql")
		version, variant, ok := strings.Cut(base, "-")
		switch {
		case !ok:
			if _, taken := byVersion[version]; !taken {
				byVersion[version] = name
			}
		case variant == dialect:
			byVersion[version] = name
		case variant != SQLite && variant != Postgres:
			return nil, fmt.Errorf("migration %s: unknown dialect %q", name, variant)
		}
	}
	var ms []migration
	for version, name := range byVersion {
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s := string(b)
		if dialect == SQLite && !strings.Contains(name, "-sqlite") {
			s = sqliteTypes.Replace(s)
		}
		ms = append(ms, migration{version: version, sql: s})
	}
	slices.SortFunc(ms, func(a, b migration) int { return strings.Compare(a.version, b.version) })
	return ms, nil
}

// migrate applies the migrations not yet recorded in schema_migrations,
// each in its own transaction (taken with the write lock, so that two
// processes starting at once do not both apply one).
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations(db.dialect)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, m := range ms {
		err := db.write(ctx, func(t *tx) error {
			if _, err := t.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    TEXT   PRIMARY KEY,
				applied_at BIGINT NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := t.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// Not rebound: migration files hold no placeholders.
			if _, err := t.tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := t.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, micros(t.now)); err != nil {
				return err
			}
			db.log.Info("migrated", "version", m.version, "dialect", db.dialect)
			return nil
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.version, err)
		}
	}
	db.migrated = true
	return nil
}

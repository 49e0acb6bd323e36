package store

import (
	"context"
	"fmt"
)

// deferMinRows is the smallest import that defers indexes: below it the
// random inserts cost less than sorting the whole table again.
const deferMinRows = 50_000

// DeferIndexes prepares table ("reports" or "observations") for a bulk
// import of about rows rows. On SQLite, when the import is large and at
// least twice what the table holds, it drops the table's plain
// indexes (neither unique nor partial: the unique ones find duplicates,
// the partial ones take no random inserts), to build them again, once
// each by sorting, in the function it returns. Measured on 200,000
// generated ACLED rows this cut the import's CPU time by about a third,
// index builds included.
//
// The dropped indexes are recorded in deferred_indexes in the transaction
// that drops them: if the import dies before restore runs, the next Open
// builds them. deferred says whether any index was put off. Restore is
// called once, whatever happened to the import; it is a no-op if nothing
// was deferred (and always on PostgreSQL, whose
// COPY path is not held back by its indexes the same way). Readers see
// the same rows meanwhile, only found more slowly.
func (db *DB) DeferIndexes(ctx context.Context, table string, rows int) (restore func(context.Context) error, deferred bool, err error) {
	noop := func(context.Context) error { return nil }
	if db.dialect != SQLite || rows < deferMinRows || (table != "reports" && table != "observations") {
		return noop, false, nil
	}
	var dropped int
	err = db.write(ctx, func(t *tx) error {
		// MAX(id) is read off the rowid b-tree at once; ids have no holes
		// (closeGaps), so it is the row count.
		var held int64
		if err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&held); err != nil {
			return err
		}
		// Rebuilding costs a sort of the whole table; random inserts cost
		// per row imported. Twice the rows held also keeps a re-import of
		// the same file (its rows present, its size guessed high) from
		// rebuilding for nothing.
		if int64(rows) < 2*held {
			return nil
		}
		names, defs, err := t.indexDefs(ctx, `SELECT l.name, m.sql FROM pragma_index_list(?) l JOIN sqlite_master m ON m.name = l.name
			WHERE l."unique" = 0 AND l.partial = 0 AND l.origin = 'c' AND m.sql IS NOT NULL ORDER BY l.name`, table)
		if err != nil {
			return err
		}
		for i, name := range names {
			if _, err := t.exec(ctx, "INSERT INTO deferred_indexes (name, table_name, sql) VALUES (?, ?, ?)", name, table, defs[i]); err != nil {
				return err
			}
			if _, err := t.exec(ctx, "DROP INDEX "+name); err != nil {
				return err
			}
		}
		dropped = len(names)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("defer %s indexes: %w", table, err)
	}
	if dropped == 0 {
		return noop, false, nil
	}
	db.log.Debug("indexes deferred", "table", table, "indexes", dropped, "rows", rows)
	return db.restoreIndexes, true, nil
}

// restoreIndexes builds the indexes DeferIndexes dropped, in one
// transaction that also clears their record.
func (db *DB) restoreIndexes(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	// Looked at first without the write lock: Open calls this every time.
	var n int
	if err := db.rw.QueryRowContext(ctx, "SELECT COUNT(*) FROM deferred_indexes").Scan(&n); err != nil {
		return fmt.Errorf("deferred indexes: %w", err)
	}
	if n == 0 {
		return nil
	}
	// CREATE INDEX sorts the whole table, and with temp_store=MEMORY (see
	// sqlitePragmas) its sort runs would stay in memory: memory would grow
	// with the table. They go to temporary files for the build. The pool
	// of writers is one connection, so both PRAGMAs reach it.
	if _, err := db.rw.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return fmt.Errorf("build deferred indexes: %w", err)
	}
	defer db.rw.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY")
	err := db.write(ctx, func(t *tx) error {
		names, defs, err := t.indexDefs(ctx, "SELECT name, sql FROM deferred_indexes ORDER BY name")
		if err != nil {
			return err
		}
		for i, name := range names {
			var exists int
			if err := t.queryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", name).Scan(&exists); err != nil {
				return err
			}
			// An index that exists was built again by hand, or by a
			// migration that replaced it.
			if exists == 0 {
				if _, err := t.tx.ExecContext(ctx, defs[i]); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			if _, err := t.exec(ctx, "DELETE FROM deferred_indexes WHERE name = ?", name); err != nil {
				return err
			}
			db.log.Debug("index built", "index", name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build deferred indexes: %w", err)
	}
	return nil
}

// indexDefs runs a query of (index name, CREATE INDEX statement) rows and
// returns its two columns.
func (t *tx) indexDefs(ctx context.Context, query string, args ...any) (names, defs []string, err error) {
	rs, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var name, def string
		if err := rs.Scan(&name, &def); err != nil {
			return nil, nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	return names, defs, rs.Err()
}

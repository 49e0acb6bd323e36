package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Planner statistics (SQLite). Without them SQLite's planner guesses an
// index's selectivity from its shape alone: a report list in a box went
// through the place index and sorted every report in the box to return
// the first 100 by id (164 ms a page at 1.1M reports). With ANALYZE's
// statistics, and the samples of sqlite_stat4 that this build keeps, it
// weighs the box's actual bounds: a narrow box still uses the index, a
// wide one walks the ids and stops at 100 (3 ms).
//
// SQLite's advice for connections that stay open
// (https://sqlite.org/lang_analyze.html, "recommended usage pattern") is
// PRAGMA optimize=0x10002 when the connection opens and again every few
// hours. It runs ANALYZE only on tables never analyzed or whose size has
// changed many times over since, so most runs do nothing (2 ms at 1.1M
// reports). The first run on a large database that never had statistics
// analyzes it whole: 9 s of one core at 1.1M reports, once. The variants
// with a temporary analysis_limit are quicker (1.2 s there) but keep no
// sqlite_stat4 samples, and without them the report list kept its slow
// plan, so the store does not use them.
//
// It runs on the writer connection, the one that may write the
// statistics (readers are query_only), with bit 0x10000, which looks at
// every table: the writer is not the connection that runs the queries,
// so the default would see nothing to do. A connection loads the
// statistics with the schema, and another connection's ANALYZE does not
// make it load them again: so the store runs it before its readers
// connect, and replaces its readers every optimizeEvery. PostgreSQL's
// autovacuum keeps PostgreSQL's statistics.
const sqliteOptimize = "PRAGMA optimize=0x10002"

// optimizeEvery is how often an open SQLite store runs optimize again.
const optimizeEvery = 2 * time.Hour

// Optimize brings SQLite's planner statistics up to date where they are
// missing or stale (nothing on PostgreSQL), and when they changed closes
// the idle readers, so that the next queries plan with them. The store
// runs it when it opens and every optimizeEvery while open; an importer
// may call it after a large load.
func (db *DB) Optimize(ctx context.Context) error {
	if db.dialect != SQLite || db.rw == nil {
		return nil
	}
	before, err := db.statsPrint(ctx)
	if err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if _, err := db.rw.ExecContext(ctx, sqliteOptimize); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	after, err := db.statsPrint(ctx)
	if err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if after != before && db.ro != nil {
		// Readers busy now keep the old statistics until they are
		// replaced (SetConnMaxLifetime in openSQLite).
		db.ro.SetMaxIdleConns(0)
		db.ro.SetMaxIdleConns(readerConns())
	}
	return nil
}

// statsPrint returns the planner statistics of sqlite_stat1 as one string
// (a few dozen short rows), "" when there are none.
func (db *DB) statsPrint(ctx context.Context) (string, error) {
	var n int
	err := db.rw.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").Scan(&n)
	if err != nil || n == 0 {
		return "", err
	}
	var s sql.NullString
	err = db.rw.QueryRowContext(ctx, "SELECT group_concat(tbl || '.' || COALESCE(idx, '') || '=' || stat, ';') FROM sqlite_stat1").Scan(&s)
	return s.String, err
}

// optimizer runs Optimize every optimizeEvery until halted.
type optimizer struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (o *optimizer) start(db *DB) {
	ctx, cancel := context.WithCancel(context.Background())
	o.cancel = cancel
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		t := time.NewTicker(optimizeEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// halt cancels a long ANALYZE rather than wait for it.
				if err := db.Optimize(ctx); err != nil && ctx.Err() == nil {
					db.log.Warn("store: planner statistics", "err", err)
				}
			}
		}
	}()
}

// halt stops the optimizer and waits for it; it may be called when it
// never started, and twice.
func (o *optimizer) halt() {
	if o.cancel != nil {
		o.cancel()
	}
	o.wg.Wait()
}

// optimizeAtOpen runs Optimize as an SQLite store opens. A failure (a
// read-only file, a full disk) costs only speed, so it is logged, not
// returned.
func (db *DB) optimizeAtOpen(ctx context.Context) {
	start := time.Now()
	if err := db.Optimize(ctx); err != nil {
		db.log.Warn("store: planner statistics", "err", err)
		return
	}
	if d := time.Since(start); d > time.Second {
		db.log.Info("store: planner statistics gathered", "took", d.Round(time.Millisecond))
	}
}

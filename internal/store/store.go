// Package store keeps Truce's records in SQLite (the default, one file) or
// PostgreSQL, behind database/sql, with one schema for both
// (migrations/0001_init.sql) and queries written once with ? placeholders.
//
// Every write also appends its leaf (or leaves) to the Merkle log in the
// same transaction, so that no record exists without its leaf and no leaf
// without its record; Record and Reencode give a verifier the record
// behind each leaf. Writers take turns: on SQLite through one writer
// connection (BEGIN IMMEDIATE, for other processes), on PostgreSQL through
// an advisory lock held for the transaction. Ids are assigned by the store
// under that turn, the same on every database.
//
// Bulk imports (ImportReports, ImportObservations) log one batch leaf per
// call rather than one leaf per record: the leaf lists each record's id
// with the SHA-256 of the leaf it would have had alone, so one record can
// still be checked on its own. Measured with BenchmarkImportReports (5,000
// real UCDP events a batch, SQLite), a leaf per report cost about 30% more
// CPU per row, 1.7 times the wall time, and twice the database size.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"               // registers "sqlite"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options configure a DB.
type Options struct {
	Now    func() time.Time // the clock for received_at, log times; time.Now if nil
	Logger *slog.Logger     // discards if nil
	// LeaseTTL is how long a Lead lease lasts unrenewed: how soon another
	// process takes a job over from one that died. 15 s if zero.
	LeaseTTL time.Duration
	// Rand is where the salts of name commitments come from (see
	// truce.StatusChange): crypto/rand if nil. Tests whose log must come
	// out the same on every run give a seeded reader.
	Rand io.Reader
}

// DB is an open store.
type DB struct {
	dialect string
	// rw takes every write transaction. On SQLite it is a pool of exactly
	// one connection, so writers queue in Go instead of failing with
	// SQLITE_BUSY, and that one writer also serializes log appends. On
	// PostgreSQL rw and ro are the same pool and appends are serialized
	// by an advisory lock (lockKey) held for the transaction.
	rw, ro  *sql.DB
	lockKey int64
	now     func() time.Time
	log     *slog.Logger
	dsn     string        // for the dedicated connections (notify.go)
	watch   *logWatch     // wakes WaitLog (notify.go)
	edge    logEdge       // the log's right edge as last committed here (log.go)
	ttl     time.Duration // of Lead's leases (lease.go)
	rand    io.Reader     // Options.Rand (agreement_status.go)
	// migrated is set once the schema is current: from then on every
	// write transaction reads the log's last time (see write).
	migrated bool
	group    groupCommit // concurrent small writes share a transaction (group_commit.go)
	optimize optimizer   // SQLite: planner statistics kept current (optimize.go)
	queue    reportQueue // PostgreSQL: writers waiting for their queued reports (report_queue.go)
	zones    zoneCache   // time zones loaded once per store, not per report (zone.go)
}

// Open opens the store named by dsn and brings its schema up to date.
// A postgres:// or postgresql:// URL selects PostgreSQL; anything else is a
// SQLite file path or a file: URI (query parameters are kept, and may
// override the defaults below).
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now, log: opt.Logger, dsn: dsn, watch: newLogWatch(), ttl: opt.LeaseTTL, rand: opt.Rand}
	if db.ttl <= 0 {
		db.ttl = defaultLeaseTTL
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(ctx, dsn)
	} else {
		err = db.openSQLite(ctx, dsn)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqlitePragmas apply to every connection.
//
// synchronous=FULL: in WAL mode NORMAL does not sync the WAL at commit, so
// a power cut may lose the last committed transactions, and the product
// promises that nothing committed is lost. FULL costs one fsync per commit:
// measured here, a one-row commit takes about 1.3 ms with FULL against
// 0.04 ms with NORMAL (BenchmarkCreateReport: about 1.5 ms a report). Bulk
// imports commit once per batch of thousands, so there it does not show.
//
// temp_store=MEMORY: a multi-row INSERT keeps a statement journal (to undo
// the statement alone if it fails), which otherwise goes to a temp file.
//
// page_size=16384 applies to a database this creates (an existing one keeps
// its own): a report row is about 400 bytes, and with pages four times
// SQLite's default the B-trees are a level shallower and a bulk import
// writes, checkpoints and sorts a quarter as many pages. A 1M-row ACLED
// import took 28.8-29.1 s against 30.4-31.6 s with 4 KiB pages, builds
// alternated on a quiet machine (bench/RESULTS.md). It must precede
// journal_mode=WAL, which fixes the page size of a new file: the driver
// runs the _pragma list sorted by name, so WAL is set by _journal_mode,
// which it applies after the list (sqliteJournal).
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"foreign_keys(1)",
	"page_size(16384)",
	"synchronous(FULL)",
	"temp_store(MEMORY)",
}

// sqliteJournal is the journal mode of every connection (see sqlitePragmas).
const sqliteJournal = "WAL"

func (db *DB) openSQLite(ctx context.Context, dsn string) error {
	db.dialect = SQLite
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" || path == ":memory:" || strings.Contains(path, ":memory:") || strings.Contains(query, "mode=memory") {
		// Two pools (writer, readers) would see two different databases.
		return fmt.Errorf("open sqlite %q: an in-memory database is not supported; use a file", dsn)
	}
	user, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	build := func(txlock string, extra ...string) string {
		q := url.Values{}
		for _, p := range append(sqlitePragmas, extra...) {
			q.Add("_pragma", p)
		}
		for k, vs := range user { // after ours, so that the caller's win
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		if q.Get("_txlock") == "" {
			q.Set("_txlock", txlock)
		}
		if q.Get("_journal_mode") == "" && q.Get("_journal") == "" {
			q.Set("_journal_mode", sqliteJournal)
		}
		return path + "?" + q.Encode()
	}
	// A connection of its own creates a new file, so that the pools'
	// connections find its page size set. Where a connection sets the page
	// size of a new database, a cache_size it was given before (the driver
	// runs cache_size ahead of page_size) stays counted in pages of the
	// old size: the writer's 64 MiB became 256 MiB of 16 KiB pages, and a
	// 1M-row import peaked at 930 MB instead of 530 MB.
	if err := createSQLite(ctx, build("immediate")); err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	// BEGIN IMMEDIATE takes the write lock at the start, so a writer in
	// another process makes us wait (busy_timeout) instead of failing a
	// transaction half-way when it upgrades from reading to writing.
	// The writer's page cache is 64 MiB rather than 2 MiB, so that the
	// index pages a batch of imports touches stay in memory as the
	// database grows; readers share the operating system's file cache.
	if db.rw, err = sql.Open("sqlite", build("immediate", "cache_size(-65536)")); err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	db.rw.SetMaxOpenConns(1)
	db.rw.SetMaxIdleConns(1)
	db.rw.SetConnMaxLifetime(0)
	db.rw.SetConnMaxIdleTime(0)
	if err := pingLocked(ctx, db.rw); err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	// Indexes a killed bulk import dropped are built before anything runs.
	if err := db.restoreIndexes(ctx); err != nil {
		return err
	}
	// Planner statistics before the readers connect: a connection loads
	// them with the schema, and another's ANALYZE does not reload them
	// (optimize.go).
	db.optimizeAtOpen(ctx)
	// Readers cannot write by accident: query_only. Each keeps 32 MiB of
	// pages rather than 2 MiB: a page of the incident list reads the
	// R*Tree's upper nodes and a hundred rows through two B-trees each,
	// and with 2 MiB those pages came back by a read system call every
	// time (15% of the list's CPU at 1M incidents; throughput +12%).
	// They also map the file (up to SQLite's default limit, 2 GiB): a
	// page outside their cache is then read from the operating system's
	// cache without a system call, and a year's list at 1M incidents,
	// whose rows are spread over the whole file, took 13% less CPU.
	if db.ro, err = sql.Open("sqlite", build("deferred", "query_only(1)", "cache_size(-32768)", "mmap_size(2147418112)")); err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	n := readerConns()
	db.ro.SetMaxOpenConns(n)
	db.ro.SetMaxIdleConns(n)
	// A reader loads the planner's statistics when it connects, so it is
	// replaced as often as they are refreshed (optimize.go).
	db.ro.SetConnMaxLifetime(optimizeEvery)
	if err := db.ro.PingContext(ctx); err != nil {
		return fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	db.optimize.start(db)
	return nil
}

// createSQLite connects to the database of dsn once and lets go: a file
// that did not exist is created, with the connection's pragmas.
func createSQLite(ctx context.Context, dsn string) error {
	c, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	return pingLocked(ctx, c)
}

// readerConns is the size of a SQLite store's pool of readers.
func readerConns() int { return max(4, runtime.GOMAXPROCS(0)) }

// pingLocked connects db, trying again for up to openLockedWait while the
// file is locked. Two processes opening one database at once (an import
// starting beside the server, TestTwoStores) can meet SQLITE_BUSY from
// the connection's PRAGMAs (journal_mode among them) while the other
// holds the file, and that answer does not always wait out busy_timeout.
func pingLocked(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(openLockedWait)
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// openLockedWait is busy_timeout's wait (see sqlitePragmas).
const openLockedWait = 10 * time.Second

// sqliteBusy is SQLITE_BUSY, the primary result code of a locked file.
const sqliteBusy = 5

func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	db.dialect = Postgres
	var err error
	// The report queue is an option of the URL (report_queue.go).
	if dsn, db.queue.on, err = reportQueueOption(dsn); err != nil {
		return err
	}
	db.dsn = dsn
	if db.rw, err = sql.Open("pgx", dsn); err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	db.ro = db.rw
	// Writers wait for the log's lock holding a connection while readers
	// run beside them. database/sql keeps only 2 idle connections by
	// default, and each new PostgreSQL connection costs a process: with 16
	// concurrent writers that churn cut throughput by a factor of five
	// (BenchmarkStores/writers-16). The cap leaves room under the server's
	// default 100 connections for a second node.
	db.rw.SetMaxOpenConns(pgConns)
	db.rw.SetMaxIdleConns(pgConns)
	var schema string
	if err := db.rw.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	// One log per schema, so one lock per schema: stores in different
	// schemas of one database (tests, tenants) do not wait for each other.
	h := fnv.New64a()
	h.Write([]byte("truce log " + schema))
	db.lockKey = int64(h.Sum64())
	if err := db.migrate(ctx); err != nil {
		return err
	}
	// Reports queued by a process that died before they were sequenced.
	return db.sequenceQueued(ctx)
}

// pgConns bounds a PostgreSQL store's connections.
const pgConns = 32

// Close closes the store.
func (db *DB) Close() error {
	db.watch.close()
	db.optimize.halt()
	var err error
	if db.ro != nil && db.ro != db.rw {
		err = db.ro.Close()
	}
	if db.rw != nil {
		if e := db.rw.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

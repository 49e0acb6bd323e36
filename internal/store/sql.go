package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// rebind rewrites the ? placeholders of q to PostgreSQL's $1, $2, ...
// Queries in this package are written once, with ?, for both dialects.
// Quoted strings and identifiers are skipped.
func (db *DB) rebind(q string) string {
	if db.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + len(q)/4)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// querier is what reads need: the read pool or an open transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.rebind(query), args...)
}

// tx is a write transaction: the log appender travels with it, so that
// every write appends its leaves before the commit.
type tx struct {
	db *DB
	// tx is the transaction, nil in a PostgreSQL transaction that began
	// by a statement of its own on conn (writeRaw): there the write goes
	// through the helpers below, which use q.
	tx    *sql.Tx
	conn  *sql.Conn // on PostgreSQL, the connection tx runs on: bulk imports COPY through it (batch.go)
	lite  *sql.Conn // on SQLite, the connection tx runs on: bulk imports bind and step through it (bulk_sqlite.go)
	now   time.Time // one instant for everything the transaction records
	log   *appender
	stmts map[string]stmt
	// nextIDs holds next ids read ahead with the lock (writeAfter), for
	// nextID to return once.
	nextIDs map[string]int64
	// While deferring, insert and insertNew do not run their statements
	// but keep them in deferred, sent in one round trip with the log's
	// rows (see deferInserts).
	deferring bool
	deferred  []statement
	// tryLock makes lock try the log's lock on PostgreSQL rather than wait
	// for it; locked says whether the transaction holds it (report_queue.go).
	tryLock, locked bool
	// ended is set by a writeRaw fn that committed the transaction itself
	// (the report queue's rows, without the lock).
	ended bool
}

// write runs fn in a write transaction and commits if it returns nil.
// On PostgreSQL the transaction first takes the log's advisory lock, so
// that writers in other processes append one after the other; on SQLite
// the single writer connection does the same.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	return db.writeAfter(ctx, nil, fn)
}

// writeAfter is write, with reads the transaction makes as soon as it
// holds the log's lock, before fn: on PostgreSQL they go in the same round
// trip as the lock (pipeline.go).
func (db *DB) writeAfter(ctx context.Context, first func(*tx) []statement, fn func(*tx) error) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer c.Close() // after the transaction's Rollback below
	sqlTx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{db: db, tx: sqlTx, stmts: map[string]stmt{}}
	if db.dialect == Postgres {
		t.conn = c
	} else {
		t.lite = c
	}
	t.log = &appender{t: t}
	defer func() {
		for _, s := range t.stmts {
			if c, ok := s.(io.Closer); ok {
				c.Close()
			}
		}
		sqlTx.Rollback() // a no-op after Commit
	}()
	if err := t.lock(ctx, nil, first); err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	grew := len(t.log.entries) > 0
	if err := t.run(ctx, t.finish(grew)); err != nil {
		return fmt.Errorf("log append: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.committed(grew)
	return nil
}

// writeRaw is writeAfter on PostgreSQL in two round trips: BEGIN goes
// with the lock and first's reads, COMMIT with the writes and the log's
// rows, all through pgx batches on a connection database/sql hands out
// but does not manage a transaction on (t.tx is nil). fn must do all its
// work through the tx helpers (exec, query, stmt, insert, the appender),
// which then run on that connection. Should anything fail, the
// transaction is rolled back, and a connection left in a transaction is
// dropped by the driver before reuse.
func (db *DB) writeRaw(ctx context.Context, first func(*tx) []statement, fn func(*tx) error) error {
	return db.writeRawTry(ctx, false, first, fn)
}

// writeRawTry is writeRaw; with try, the transaction only tries the log's
// lock, and fn (which must check t.locked) runs either way.
func (db *DB) writeRawTry(ctx context.Context, try bool, first func(*tx) []statement, fn func(*tx) error) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer c.Close()
	t := &tx{db: db, conn: c, stmts: map[string]stmt{}, tryLock: try}
	t.log = &appender{t: t}
	open := true
	defer func() {
		if open && !t.ended {
			c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := t.lock(ctx, []statement{{query: "BEGIN"}}, first); err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	grew := len(t.log.entries) > 0
	if err := t.run(ctx, append(t.finish(grew), statement{query: "COMMIT"})); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	open = false
	t.committed(grew)
	return nil
}

// lock runs before, takes the log's lock (on PostgreSQL), reads the log's
// tail and runs first's reads, in one round trip, and sets the
// transaction's instant.
func (t *tx) lock(ctx context.Context, before []statement, first func(*tx) []statement) error {
	db := t.db
	stmts := before
	t.locked = !t.tryLock
	switch {
	case db.dialect != Postgres:
	case t.tryLock:
		// The outcome is also kept as a setting of the transaction, so
		// that the reads after it can skip their work without the lock
		// (see report_queue.go).
		stmts = append(stmts, statement{
			query: "SELECT set_config('truce.locked', pg_try_advisory_xact_lock(?)::text, true) = 'true'",
			args:  []any{db.lockKey},
			scan: func(rows rowScanner) error {
				if !rows.Next() {
					return fmt.Errorf("try lock: %w", rows.Err())
				}
				return rows.Scan(&t.locked)
			},
		})
	default:
		stmts = append(stmts, statement{query: "SELECT pg_advisory_xact_lock(?)", args: []any{db.lockKey}})
	}
	// The log's tail gives the appender the log's size, which most writes
	// need anyway, and the last leaf's time. (Before the migrations have
	// run there is no log yet.)
	var size, last int64
	if db.migrated {
		stmts = append(stmts, statement{
			query: "SELECT idx + 1, at_us FROM log_entries ORDER BY idx DESC LIMIT 1",
			scan: func(rows rowScanner) error {
				if rows.Next() {
					return rows.Scan(&size, &last)
				}
				return rows.Err()
			},
		})
	}
	var caughtUp map[int64]tlog.Hash
	if db.migrated && db.dialect == Postgres {
		caughtUp = map[int64]tlog.Hash{}
		stmts = append(stmts, db.edge.catchUp(caughtUp)...)
	}
	if first != nil {
		stmts = append(stmts, first(t)...)
	}
	if err := t.run(ctx, stmts); err != nil {
		return fmt.Errorf("lock log: %w", err)
	}
	// The instant is taken under the lock, and never before the last
	// leaf's: writers in other processes (on other hosts, with clocks a
	// little apart) append in turn, and the log's times must not go back.
	t.now = normTime(db.now())
	if db.migrated {
		t.log.size, t.log.cache, t.log.loaded = size, map[int64]tlog.Hash{}, true
		db.edge.seed(t.log.cache)
		maps.Copy(t.log.cache, caughtUp)
		if micros(t.now) < last {
			t.now = fromMicros(last)
		}
	}
	return nil
}

// finish returns the statements that end a write before its commit: the
// deferred inserts, the log's rows and, if the log grew, the notification.
func (t *tx) finish(grew bool) []statement {
	stmts := append(t.deferred, t.log.flushStatements()...)
	t.deferred = nil
	if grew {
		stmts = append(stmts, t.notifyLog(t.log.size)...)
	}
	return stmts
}

// committed records what a committed write did to the log.
func (t *tx) committed(grew bool) {
	if t.log.loaded {
		t.db.edge.keep(t.log.cache, t.log.size)
	}
	if grew {
		t.db.watch.grew(t.log.size)
	}
}

// txConn is what the transaction's statements run on: the *sql.Tx, or
// for writeRaw the *sql.Conn whose session is in the transaction.
type txConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (t *tx) q() txConn {
	if t.tx != nil {
		return t.tx
	}
	return t.conn
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.q().ExecContext(ctx, t.db.rebind(query), args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.db.query(ctx, t.q(), query, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.db.queryRow(ctx, t.q(), query, args...)
}

// stmt returns a statement the transaction runs many times. On SQLite it
// is prepared once per transaction; on PostgreSQL, pgx already prepares
// each distinct statement once per connection and caches it, so it is
// only rebound (a Prepare here would cost a round trip to prepare and
// another to deallocate, per transaction).
func (t *tx) stmt(ctx context.Context, query string) (stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	var s stmt
	if t.db.dialect == Postgres {
		s = pgStmt{t.q(), t.db.rebind(query)}
	} else {
		p, err := t.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		s = p
	}
	t.stmts[query] = s
	return s, nil
}

// stmt is a *sql.Stmt, or a query to run on a transaction.
type stmt interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
}

type pgStmt struct {
	tx    txConn
	query string
}

func (s pgStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.tx.ExecContext(ctx, s.query, args...)
}

func (s pgStmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.tx.QueryContext(ctx, s.query, args...)
}

// maxParams bounds the placeholders of one statement: SQLite allows
// 32766, PostgreSQL 65535.
const maxParams = 30000

// maxRowsPerInsert bounds the rows of one multi-row INSERT: beyond a few
// hundred rows longer statements stop paying for themselves.
const maxRowsPerInsert = 200

// insert writes rows (each len(cols) values, flattened into args) with
// multi-row INSERT statements: far fewer round trips through database/sql
// and the driver than one statement per row.
func (t *tx) insert(ctx context.Context, table string, cols []string, args []any) error {
	_, err := t.insertRows(ctx, table, cols, args, "")
	return err
}

// insertNew writes rows like insert, except those whose unique key (the
// columns of conflict) is already taken, and returns the ids of the rows
// it wrote. The database checks the key as it inserts, so no query has to
// look for duplicates first (PostgreSQL, without fresh statistics, plans
// such a query badly).
func (t *tx) insertNew(ctx context.Context, table string, cols []string, args []any, conflict string) (map[int64]bool, error) {
	return t.insertRows(ctx, table, cols, args, " ON CONFLICT ("+conflict+") DO NOTHING RETURNING id")
}

func (t *tx) insertRows(ctx context.Context, table string, cols []string, args []any, suffix string) (map[int64]bool, error) {
	nc := len(cols)
	if len(args)%nc != 0 {
		return nil, fmt.Errorf("insert %s: %d values for %d columns", table, len(args), nc)
	}
	if t.deferring {
		return t.deferInsert(table, cols, args, suffix != "")
	}
	var ids map[int64]bool
	if suffix != "" {
		ids = make(map[int64]bool, len(args)/nc)
	}
	per := min(maxRowsPerInsert, maxParams/nc)
	for len(args) > 0 {
		n := min(per, len(args)/nc)
		s, err := t.stmt(ctx, insertSQL(table, cols, n)+suffix)
		if err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
		if suffix == "" {
			if _, err := s.ExecContext(ctx, args[:n*nc]...); err != nil {
				return nil, fmt.Errorf("insert %s: %w", table, err)
			}
		} else if err := collectIDs(ctx, s, args[:n*nc], ids); err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
		args = args[n*nc:]
	}
	return ids, nil
}

// deferInserts runs fn with the transaction's inserts deferred: kept, in
// order, and sent with the log's rows just before the commit, in the same
// round trip on PostgreSQL. The caller promises that fn's inserts
// conflict with no stored row (it looked under the log's lock, which every
// writer takes): a deferred insertNew is a plain INSERT, which fails the
// transaction on a conflict rather than skip the row, and reports every
// row as written. fn must not read what it inserts; neither may the
// transaction before flushDeferred.
func (t *tx) deferInserts(fn func() error) error {
	t.deferring = true
	defer func() { t.deferring = false }()
	return fn()
}

func (t *tx) deferInsert(table string, cols []string, args []any, returnIDs bool) (map[int64]bool, error) {
	t.deferred = append(t.deferred, insertStatements(table, cols, args)...)
	if !returnIDs {
		return nil, nil
	}
	col := slices.Index(cols, "id")
	if col < 0 {
		return nil, fmt.Errorf("insert %s: deferred, but no id column to return", table)
	}
	ids := make(map[int64]bool, len(args)/len(cols))
	for i := col; i < len(args); i += len(cols) {
		id, ok := args[i].(int64)
		if !ok {
			return nil, fmt.Errorf("insert %s: deferred, but id %v is a %T", table, args[i], args[i])
		}
		ids[id] = true
	}
	return ids, nil
}

// flushDeferred runs the deferred inserts now.
func (t *tx) flushDeferred(ctx context.Context) error {
	stmts := t.deferred
	t.deferred = nil
	return t.run(ctx, stmts)
}

// collectIDs runs an INSERT ... RETURNING id and adds the ids to ids.
func collectIDs(ctx context.Context, s stmt, args []any, ids map[int64]bool) error {
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids[id] = true
	}
	return rows.Err()
}

func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	row := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// closeGaps renumbers the rows insertNew wrote, whose ids were assigned
// from id0 on, to id0, id0+1, ...: the ids of skipped rows would otherwise
// be holes (a re-import of a grown dataset would open one as wide as the
// part already present). Nothing refers to the rows yet. It returns the
// new id of each row that moved.
func (t *tx) closeGaps(ctx context.Context, table string, id0 int64, inserted map[int64]bool) (map[int64]int64, error) {
	ids := slices.Sorted(maps.Keys(inserted))
	moved := map[int64]int64{}
	for k, id := range ids {
		// In increasing order the new id is always free: a row written
		// there earlier had a smaller index and has moved down already.
		if want := id0 + int64(k); want != id {
			s, err := t.stmt(ctx, "UPDATE "+table+" SET id = ? WHERE id = ?")
			if err != nil {
				return nil, err
			}
			if _, err := s.ExecContext(ctx, want, id); err != nil {
				return nil, fmt.Errorf("renumber %s %d: %w", table, id, err)
			}
			moved[id] = want
		}
	}
	return moved, nil
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// nextID returns the next free id of table. Ids are assigned by the store
// rather than by the database, under the log's write lock: the same on
// every database, known before the rows are written, and consecutive
// within a batch (see closeGaps).
func (t *tx) nextID(ctx context.Context, table string) (int64, error) {
	if id, ok := t.nextIDs[table]; ok {
		delete(t.nextIDs, table) // read once: the caller's rows take it
		return id, nil
	}
	var id int64
	if err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table).Scan(&id); err != nil {
		return 0, fmt.Errorf("next %s id: %w", table, err)
	}
	return id, nil
}

// notFound reports whether err means no row.
func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// addBBox adds the conditions for a box west, south, east, north on the lat
// and lon columns. A box whose west edge is east of its east edge crosses
// the antimeridian.
func addBBox(add func(cond string, args ...any), b [4]float64) {
	add("lat >= ? AND lat <= ?", b[1], b[3])
	if b[0] <= b[2] {
		add("lon >= ? AND lon <= ?", b[0], b[2])
	} else {
		add("(lon >= ? OR lon <= ?)", b[0], b[2])
	}
}

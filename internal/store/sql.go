package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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
	db    *DB
	tx    *sql.Tx
	now   time.Time // one instant for everything the transaction records
	log   *appender
	stmts map[string]*sql.Stmt
}

// write runs fn in a write transaction and commits if it returns nil.
// On PostgreSQL the transaction first takes the log's advisory lock, so
// that writers in other processes append one after the other; on SQLite
// the single writer connection does the same.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	sqlTx, err := db.rw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{db: db, tx: sqlTx, now: normTime(db.now()), stmts: map[string]*sql.Stmt{}}
	t.log = &appender{t: t}
	defer func() {
		for _, s := range t.stmts {
			s.Close()
		}
		sqlTx.Rollback() // a no-op after Commit
	}()
	if db.dialect == Postgres {
		if _, err := sqlTx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", db.lockKey); err != nil {
			return fmt.Errorf("lock log: %w", err)
		}
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.log.flush(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.rebind(query), args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.db.query(ctx, t.tx, query, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.db.queryRow(ctx, t.tx, query, args...)
}

// stmt returns a statement prepared once per transaction.
func (t *tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(ctx, t.db.rebind(query))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	t.stmts[query] = s
	return s, nil
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
	nc := len(cols)
	if len(args)%nc != 0 {
		return fmt.Errorf("insert %s: %d values for %d columns", table, len(args), nc)
	}
	per := min(maxRowsPerInsert, maxParams/nc)
	for len(args) > 0 {
		n := min(per, len(args)/nc)
		s, err := t.stmt(ctx, insertSQL(table, cols, n))
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		if _, err := s.ExecContext(ctx, args[:n*nc]...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		args = args[n*nc:]
	}
	return nil
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

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// nextID returns the next free id of table. Ids are assigned by the store
// rather than by the database, under the log's write lock, so a batch gets
// consecutive ids on both dialects and a leaf can name them before the
// rows are written.
func (t *tx) nextID(ctx context.Context, table string) (int64, error) {
	var id int64
	if err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table).Scan(&id); err != nil {
		return 0, fmt.Errorf("next %s id: %w", table, err)
	}
	return id, nil
}

// notFound reports whether err means no row.
func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

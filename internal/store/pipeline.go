package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelining. On PostgreSQL every statement is a round trip to the
// server, and a write transaction makes its round trips while it holds the
// log's lock, which every other writer of every node waits for. The
// statements of a step that do not depend on each other's results (take
// the lock and read the log's tail; write the log's rows and notify) are
// therefore sent together, as one pgx batch on the transaction's
// connection: one round trip for all. The server still runs them one after
// the other, each with its own snapshot, so that a read queued after the
// lock sees every transaction committed before the lock was granted.
// SQLite runs in the process and has no round trips: there the statements
// simply run in order.

// statement is a query with ? placeholders and its arguments; scan, if
// set, reads the rows it returns.
type statement struct {
	query string
	args  []any
	scan  func(rowScanner) error
}

// rowScanner is what both *sql.Rows and pgx.Rows offer a scan function.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// run runs stmts in order in t: on PostgreSQL in one round trip.
func (t *tx) run(ctx context.Context, stmts []statement) error {
	if len(stmts) == 0 {
		return nil
	}
	if t.conn == nil {
		for _, s := range stmts {
			if err := t.runOne(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		// The pgx connection is in the transaction database/sql began.
		b := &pgx.Batch{}
		for _, s := range stmts {
			q := b.Queue(t.db.rebind(s.query), s.args...)
			if s.scan != nil {
				q.Query(func(rows pgx.Rows) error { return s.scan(rows) })
			}
		}
		return c.Conn().SendBatch(ctx, b).Close()
	})
}

func (t *tx) runOne(ctx context.Context, s statement) error {
	if s.scan == nil {
		p, err := t.stmt(ctx, s.query)
		if err == nil {
			_, err = p.ExecContext(ctx, s.args...)
		}
		return err
	}
	rows, err := t.query(ctx, s.query, s.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := s.scan(rows); err != nil {
		return err
	}
	return rows.Close()
}

// insertStatements returns the multi-row INSERT statements that write
// rows (each len(cols) values, flattened into args), as insert runs them.
func insertStatements(table string, cols []string, args []any) []statement {
	nc := len(cols)
	per := min(maxRowsPerInsert, maxParams/nc)
	var out []statement
	for len(args) > 0 {
		n := min(per, len(args)/nc)
		out = append(out, statement{query: insertSQL(table, cols, n), args: args[:n*nc]})
		args = args[n*nc:]
	}
	return out
}

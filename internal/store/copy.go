package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// CopySummary says what CopyTo moved.
type CopySummary struct {
	Tables []TableCopy
	// LogSize and Root are the log's, the same on both sides afterwards.
	LogSize int64
	Root    tlog.Hash
}

// TableCopy is one table's row count.
type TableCopy struct {
	Table string
	Rows  int64
}

// copyBatch is how many rows CopyTo holds in memory at once.
const copyBatch = 5000

// notCopied are tables that belong to a database rather than to the
// mission: migration bookkeeping (the target has its own), the leases of
// running processes, and how far their jobs got (the target's jobs start
// with a full pass).
var notCopied = map[string]bool{"schema_migrations": true, "leases": true, "job_cursors": true}

// CopyTo copies every record of a SQLite store into dst, an empty store
// (PostgreSQL, or another SQLite file) at the same schema version: table
// by table, parents before children, each in primary-key order, all in
// one transaction, so that a failure leaves dst empty. Ids, log leaves,
// stored hashes and checkpoints are copied as they are, so dst's log has
// the same root and its checkpoints stay valid. It returns ECONFLICT if
// dst holds any record and EINVALID if the two schemas differ.
func (db *DB) CopyTo(ctx context.Context, dst *DB, progress func(TableCopy)) (CopySummary, error) {
	var sum CopySummary
	if db.dialect != SQLite {
		return sum, truce.Invalid("from", "copy reads a SQLite database; this one is %s", db.dialect)
	}
	if err := sameMigrations(ctx, db, dst); err != nil {
		return sum, err
	}
	// One read transaction: a consistent snapshot of the source, even if
	// a server is still writing to it.
	snap, err := db.ro.BeginTx(ctx, nil)
	if err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	defer snap.Rollback()
	tables, err := db.copyOrder(ctx, snap)
	if err != nil {
		return sum, err
	}
	for _, tb := range tables {
		var n int64
		if err := dst.queryRow(ctx, dst.ro, "SELECT COUNT(*) FROM (SELECT 1 FROM "+tb.name+" LIMIT 1) x").Scan(&n); err != nil {
			return sum, fmt.Errorf("target table %s: %w", tb.name, err)
		}
		if n > 0 {
			return sum, truce.Errorf(truce.ECONFLICT, "the target database is not empty (table %s has rows): db copy only fills an empty database", tb.name)
		}
	}
	if sum.LogSize, sum.Root, err = db.snapshotLog(ctx, snap); err != nil {
		return sum, err
	}
	err = dst.write(ctx, func(t *tx) error {
		sum.Tables = sum.Tables[:0]
		for _, tb := range tables {
			n, err := db.copyTable(ctx, snap, t, tb)
			if err != nil {
				return fmt.Errorf("copy %s: %w", tb.name, err)
			}
			tc := TableCopy{Table: tb.name, Rows: n}
			sum.Tables = append(sum.Tables, tc)
			if progress != nil {
				progress(tc)
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if err := dst.Analyze(ctx); err != nil {
		return sum, err
	}
	return sum, dst.checkLog(ctx, sum)
}

// snapshotLog returns the size and root of the log as q sees it.
func (db *DB) snapshotLog(ctx context.Context, q querier) (int64, tlog.Hash, error) {
	var n int64
	if err := db.queryRow(ctx, q, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").Scan(&n); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("copy: log size: %w", err)
	}
	if n == 0 {
		return 0, tlog.Hash{}, nil
	}
	root, err := tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		found, err := readHashes(ctx, db, q, idx)
		if err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = found[x]
		}
		return out, nil
	}))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("copy: log root: %w", err)
	}
	return n, root, nil
}

// checkLog checks that the store's log has the size and root copied.
func (db *DB) checkLog(ctx context.Context, sum CopySummary) error {
	n, root, err := db.snapshotLog(ctx, db.ro)
	if err != nil {
		return err
	}
	if n != sum.LogSize || root != sum.Root {
		return fmt.Errorf("copy: the target's log (%d leaves, root %s) is not the source's (%d leaves, root %s)", n, root, sum.LogSize, sum.Root)
	}
	return nil
}

// sameMigrations requires both stores at the same schema version.
func sameMigrations(ctx context.Context, a, b *DB) error {
	va, err := a.migrationVersions(ctx)
	if err != nil {
		return err
	}
	vb, err := b.migrationVersions(ctx)
	if err != nil {
		return err
	}
	if !slices.Equal(va, vb) {
		return truce.Invalid("to", "the two databases have different schema versions (%s against %s): open both with this truce first",
			strings.Join(va, ","), strings.Join(vb, ","))
	}
	return nil
}

func (db *DB) migrationVersions(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, db.ro, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("schema versions: %w", err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// copyTable describes a table to copy.
type copyTable struct {
	name    string
	cols    []string
	order   string         // ORDER BY of its primary key
	parents []string       // the tables its foreign keys point to
	selfRef map[string]int // column → index of the column it points to, for a foreign key into the table itself
}

// copyOrder returns the source's tables, parents before children.
func (db *DB) copyOrder(ctx context.Context, q querier) ([]copyTable, error) {
	// Ordinary tables only: a virtual table and its shadow tables (the
	// incidents' R*Tree, 0011_incident_rtree) are derived, and the
	// target's own triggers fill them as the rows arrive.
	names, err := db.textColumn(ctx, q, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, err
	}
	byName := map[string]*copyTable{}
	var all []string
	for _, name := range names {
		if notCopied[name] {
			continue
		}
		tb, err := db.describe(ctx, q, name)
		if err != nil {
			return nil, err
		}
		byName[name] = tb
		all = append(all, name)
	}
	var out []copyTable
	done := map[string]bool{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		if done[name] {
			return nil
		}
		if slices.Contains(path, name) {
			return fmt.Errorf("copy: foreign keys form a cycle: %s", strings.Join(append(path, name), " → "))
		}
		tb := byName[name]
		for _, p := range tb.parents {
			if byName[p] == nil {
				return fmt.Errorf("copy: table %s refers to %s, which is not there", name, p)
			}
			if err := visit(p, append(path, name)); err != nil {
				return err
			}
		}
		done[name] = true
		out = append(out, *tb)
		return nil
	}
	for _, name := range all {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// describe reads a source table's columns, primary key and foreign keys.
func (db *DB) describe(ctx context.Context, q querier, name string) (*copyTable, error) {
	tb := &copyTable{name: name, selfRef: map[string]int{}}
	rows, err := db.query(ctx, q, "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", name)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	pk := map[int]string{}
	for rows.Next() {
		var col string
		var k int
		if err := rows.Scan(&col, &k); err != nil {
			rows.Close()
			return nil, err
		}
		tb.cols = append(tb.cols, col)
		if k > 0 {
			pk[k] = col
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var keys []string
	for i := 1; i <= len(pk); i++ {
		keys = append(keys, pk[i])
	}
	if len(keys) == 0 {
		keys = []string{"rowid"}
	}
	tb.order = strings.Join(keys, ", ")
	rows, err = db.query(ctx, q, `SELECT "table", "from", COALESCE("to", '') FROM pragma_foreign_key_list(?)`, name)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var parent, from, to string
		if err := rows.Scan(&parent, &from, &to); err != nil {
			return nil, err
		}
		if parent == name {
			tb.selfRef[from] = slices.Index(tb.cols, to)
		} else if !slices.Contains(tb.parents, parent) {
			tb.parents = append(tb.parents, parent)
		}
	}
	return tb, rows.Err()
}

// copyTable copies one table's rows into the target transaction, in
// batches. A column that points into its own table is written NULL first
// and set once every row is there, since a row may point at a later one.
func (db *DB) copyTable(ctx context.Context, q querier, t *tx, tb copyTable) (int64, error) {
	conv, err := t.db.converters(ctx, tb)
	if err != nil {
		return 0, err
	}
	rows, err := db.query(ctx, q, "SELECT "+strings.Join(tb.cols, ", ")+" FROM "+tb.name+" ORDER BY "+tb.order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	nc := len(tb.cols)
	type later struct {
		col      int
		val, key any
	}
	var fixes []later
	var n int64
	batch := make([]any, 0, copyBatch*nc)
	for rows.Next() {
		vals := make([]any, nc)
		ptrs := make([]any, nc)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			if conv[i] != nil && v != nil {
				vals[i] = conv[i](v)
			}
		}
		for i, col := range tb.cols {
			if ref, ok := tb.selfRef[col]; ok && vals[i] != nil {
				if ref < 0 {
					return n, fmt.Errorf("column %s: its foreign key names no column", col)
				}
				fixes = append(fixes, later{col: i, val: vals[i], key: vals[ref]})
				vals[i] = nil
			}
		}
		batch = append(batch, vals...)
		n++
		if len(batch) >= copyBatch*nc {
			if err := t.insert(ctx, tb.name, tb.cols, batch); err != nil {
				return n, err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if len(batch) > 0 {
		if err := t.insert(ctx, tb.name, tb.cols, batch); err != nil {
			return n, err
		}
	}
	for _, f := range fixes {
		if _, err := t.exec(ctx, "UPDATE "+tb.name+" SET "+tb.cols[f.col]+" = ? WHERE "+tb.selfKey(f.col)+" = ?", f.val, f.key); err != nil {
			return n, err
		}
	}
	return n, nil
}

// selfKey names the column that column i's foreign key points to.
func (tb copyTable) selfKey(i int) string { return tb.cols[tb.selfRef[tb.cols[i]]] }

// converters returns, per column of tb, how to turn a SQLite value into
// what the target column takes (nil: as it is). SQLite keeps booleans as
// integers and may return text for a blob and the other way round.
func (db *DB) converters(ctx context.Context, tb copyTable) ([]func(any) any, error) {
	conv := make([]func(any) any, len(tb.cols))
	if db.dialect != Postgres {
		return conv, nil
	}
	rows, err := db.query(ctx, db.ro, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?", tb.name)
	if err != nil {
		return nil, fmt.Errorf("target table %s: %w", tb.name, err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			return nil, err
		}
		types[col] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, col := range tb.cols {
		typ, ok := types[col]
		if !ok {
			return nil, truce.Invalid("to", "the target's table %s has no column %s", tb.name, col)
		}
		switch typ {
		case "boolean":
			conv[i] = func(v any) any {
				if n, ok := v.(int64); ok {
					return n != 0
				}
				return v
			}
		case "bytea":
			conv[i] = func(v any) any {
				if s, ok := v.(string); ok {
					return []byte(s)
				}
				return v
			}
		case "text":
			conv[i] = func(v any) any {
				if b, ok := v.([]byte); ok {
					return string(b)
				}
				return v
			}
		}
	}
	return conv, nil
}

// textColumn runs a query of one text column.
func (db *DB) textColumn(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Analyze refreshes the planner statistics of the store's tables. After a
// bulk load, until autovacuum gets to them, PostgreSQL's planner takes the
// tables for nearly empty and picks plans that are slower by an order of
// magnitude (BenchmarkStores/postgres/adjudicate). On SQLite it is
// Optimize, which the store otherwise runs when it opens and every
// optimizeEvery.
func (db *DB) Analyze(ctx context.Context) error {
	if db.dialect != Postgres {
		return db.Optimize(ctx)
	}
	tables, err := db.textColumn(ctx, db.ro, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	for _, tb := range tables {
		if _, err := db.rw.ExecContext(ctx, "ANALYZE "+tb); err != nil {
			return fmt.Errorf("analyze %s: %w", tb, err)
		}
	}
	return nil
}

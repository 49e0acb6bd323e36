package store

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// Bulk inserts on SQLite bind and step the multi-row INSERTs through
// SQLite's own C interface (modernc's Go translation of it, no cgo) on the
// transaction's connection, instead of through database/sql and the
// driver. The driver converts every value to a driver.Value, looks each
// parameter's name up, copies every string into memory of its own and
// frees it again: on 200,000 generated ACLED rows that was a third of the
// writer's time in the reports INSERT (33 columns a row), and RETURNING id,
// which the driver's path needs to learn which rows were new, cost as
// much again. Here the strings of a statement are copied into one buffer
// bound in place, and the rows written are counted by sqlite3_changes: a
// statement that wrote fewer rows than it had is looked up by id range.
//
// modernc.org/sqlite (v1.62) offers no exported way to its connection's
// handle: liteHandleOf reads it from the driver's connection by
// reflection. Should a later version lay its connection out differently,
// liteHandleOf says so and the import goes through database/sql as before
// (TestLiteHandle fails first, so that it is not slower unnoticed).

// liteHandle is a SQLite connection's sqlite3* and the libc thread state
// its calls run with.
type liteHandle struct {
	db  uintptr
	tls *libc.TLS
}

// liteHandleOf returns the handle of modernc.org/sqlite's driver
// connection dc (what sql.Conn.Raw passes), or false if dc is not one as
// this version lays it out.
func liteHandleOf(dc any) (liteHandle, bool) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return liteHandle{}, false
	}
	v = v.Elem()
	if t := v.Type(); t.PkgPath() != "modernc.org/sqlite" || t.Name() != "conn" {
		return liteHandle{}, false
	}
	db, tls := v.FieldByName("db"), v.FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		return liteHandle{}, false
	}
	h := liteHandle{db: uintptr(db.Uint()), tls: (*libc.TLS)(tls.UnsafePointer())}
	return h, h.db != 0 && h.tls != nil
}

// liteBindable reports whether every value is of a type liteInsert binds
// as the driver would; anything else goes through database/sql.
func liteBindable(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case nil, int64, int, float64, bool, string, []byte:
		default:
			return false
		}
	}
	return true
}

// liteInsert writes rows (each len(cols) values, flattened into args) on
// SQLite, as insertRows does: with conflict set, "ON CONFLICT (conflict)
// DO NOTHING", and it returns the ids (column "id") of the rows written.
// ok is false, with nothing written, when the fast path does not apply
// (not SQLite, inserts deferred, a value of another type, or a driver
// this file does not know): the caller then uses insertRows.
func (t *tx) liteInsert(ctx context.Context, table string, cols []string, args []any, conflict string) (ids map[int64]bool, ok bool, err error) {
	nc := len(cols)
	if t.lite == nil || t.deferring || nc == 0 || len(args)%nc != 0 || !liteBindable(args) {
		return nil, false, nil
	}
	idCol := -1
	suffix := ""
	if conflict != "" {
		if idCol = slices.Index(cols, "id"); idCol < 0 {
			return nil, false, nil
		}
		suffix = " ON CONFLICT (" + conflict + ") DO NOTHING"
		ids = make(map[int64]bool, len(args)/nc)
	}
	var short [][]int64 // the ids of each statement that skipped rows
	known := true
	err = t.lite.Raw(func(dc any) error {
		h, found := liteHandleOf(dc)
		if !found {
			known = false
			return nil
		}
		w := liteWriter{h: h}
		defer w.close()
		// Columns with one value in every row (a dataset's source, the
		// transaction's time, NULLs: half a generated ACLED row) are bound
		// once per statement, as parameters 1..k every row refers to.
		constant, k := constantColumns(args, nc)
		per := min(maxRowsPerInsert, (maxParams-k)/max(1, nc-k))
		bound := make([]any, 0, k+per*(nc-k))
		for rest := args; len(rest) > 0; {
			if err := ctx.Err(); err != nil {
				return err
			}
			n := min(per, len(rest)/nc)
			chunk := rest[:n*nc]
			rest = rest[n*nc:]
			bound = bound[:0]
			for c, isConst := range constant {
				if isConst {
					bound = append(bound, chunk[c])
				}
			}
			for i := range n {
				for c, v := range chunk[i*nc : (i+1)*nc] {
					if !constant[c] {
						bound = append(bound, v)
					}
				}
			}
			written, err := w.exec(table, cols, constant, n, suffix, bound)
			if err != nil {
				return err
			}
			if idCol < 0 {
				continue
			}
			chunkIDs := make([]int64, n)
			for i := range n {
				id, isInt := chunk[i*nc+idCol].(int64)
				if !isInt {
					return fmt.Errorf("id %v is a %T", chunk[i*nc+idCol], chunk[i*nc+idCol])
				}
				chunkIDs[i] = id
			}
			if written == int64(n) {
				for _, id := range chunkIDs {
					ids[id] = true
				}
			} else {
				short = append(short, chunkIDs)
			}
		}
		return nil
	})
	if err != nil {
		return nil, true, fmt.Errorf("insert %s: %w", table, err)
	}
	if !known {
		return nil, false, nil
	}
	// The ids were assigned past every stored one: those of a statement's
	// rows found in the table are the rows it wrote.
	for _, chunk := range short {
		if err := t.foundIDs(ctx, table, chunk, ids); err != nil {
			return nil, true, fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return ids, true, nil
}

// foundIDs adds to ids those of want that table holds.
func (t *tx) foundIDs(ctx context.Context, table string, want []int64, ids map[int64]bool) error {
	lo, hi := slices.Min(want), slices.Max(want)
	rows, err := t.query(ctx, "SELECT id FROM "+table+" WHERE id >= ? AND id <= ?", lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	wanted := make(map[int64]bool, len(want))
	for _, id := range want {
		wanted[id] = true
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if wanted[id] {
			ids[id] = true
		}
	}
	return rows.Err()
}

// constantColumns marks the columns of rows (nc values each, flattened
// into args) whose value is the same in every row, and counts them. A
// single row has none.
func constantColumns(args []any, nc int) (constant []bool, k int) {
	constant = make([]bool, nc)
	if len(args) < 2*nc {
		return constant, 0
	}
	for c := range nc {
		constant[c] = true
		for i := c + nc; i < len(args); i += nc {
			if !sameValue(args[c], args[i]) {
				constant[c] = false
				break
			}
		}
		if constant[c] {
			k++
		}
	}
	return constant, k
}

// sameValue reports whether a and b bind alike: same type, same value
// (floats bit for bit, so that -0 and 0 stay apart).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case int:
		y, ok := b.(int)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return false // []byte: rare in bulk rows, bound per row
}

// liteInsertSQL is insertSQL for rows rows with numbered parameters: the
// constant columns' values are parameters 1..k, the others follow row by
// row.
func liteInsertSQL(table string, cols []string, rows int, constant []bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	constNo := make([]int, len(cols))
	next := 1
	for c, isConst := range constant {
		if isConst {
			constNo[c] = next
			next++
		}
	}
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
			if constant[c] {
				b.WriteString(strconv.Itoa(constNo[c]))
			} else {
				b.WriteString(strconv.Itoa(next))
				next++
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// liteWriter prepares, binds and steps statements on a handle. It keeps
// the last statement prepared (a bulk insert runs one text many times) and
// one buffer for the strings of a statement's values.
type liteWriter struct {
	h    liteHandle
	rows int // of the statement prepared, 0 if none
	stmt uintptr
	buf  uintptr // C memory, cap bytes
	cap  int
}

// exec runs the insert of rows rows into table (liteInsertSQL and suffix;
// one table, columns and constant columns per liteWriter) with args
// bound in parameter order, to completion, and returns the rows it
// changed.
func (w *liteWriter) exec(table string, cols []string, constant []bool, rows int, suffix string, args []any) (int64, error) {
	h := w.h
	if rows != w.rows || w.stmt == 0 {
		if err := w.prepare(liteInsertSQL(table, cols, rows, constant) + suffix); err != nil {
			return 0, err
		}
		w.rows = rows
	}
	need := 0
	for _, a := range args {
		switch x := a.(type) {
		case string:
			need += len(x)
		case []byte:
			need += len(x)
		}
	}
	if need > math.MaxInt32 {
		return 0, fmt.Errorf("%d bytes of values in one statement", need)
	}
	if need > w.cap {
		libc.Xfree(h.tls, w.buf)
		w.cap = max(need, 2*w.cap, 1<<16)
		if w.buf = libc.Xmalloc(h.tls, types.Size_t(w.cap)); w.buf == 0 {
			w.cap = 0
			return 0, fmt.Errorf("cannot allocate %d bytes", need)
		}
	}
	mem := unsafe.Slice((*byte)(cMem(w.buf)), max(w.cap, 1))
	off := 0
	for i, a := range args {
		p := int32(i + 1)
		var rc int32
		switch x := a.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(h.tls, w.stmt, p)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, w.stmt, p, x)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, w.stmt, p, int64(x))
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(h.tls, w.stmt, p, x)
		case bool:
			v := int64(0)
			if x {
				v = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, w.stmt, p, v)
		case string:
			// SQLITE_STATIC (0): the buffer outlives the step.
			copy(mem[off:], x)
			rc = sqlite3.Xsqlite3_bind_text(h.tls, w.stmt, p, w.buf+uintptr(off), int32(len(x)), 0)
			off += len(x)
		case []byte:
			if x == nil {
				rc = sqlite3.Xsqlite3_bind_null(h.tls, w.stmt, p)
				break
			}
			copy(mem[off:], x)
			rc = sqlite3.Xsqlite3_bind_blob(h.tls, w.stmt, p, w.buf+uintptr(off), int32(len(x)), 0)
			off += len(x)
		default:
			return 0, fmt.Errorf("cannot bind a %T", a)
		}
		if rc != sqlite3.SQLITE_OK {
			return 0, w.err(rc)
		}
	}
	rc := sqlite3.Xsqlite3_step(h.tls, w.stmt)
	for rc == sqlite3.SQLITE_ROW {
		rc = sqlite3.Xsqlite3_step(h.tls, w.stmt)
	}
	if rc != sqlite3.SQLITE_DONE {
		err := w.err(rc)
		sqlite3.Xsqlite3_reset(h.tls, w.stmt)
		return 0, err
	}
	n := sqlite3.Xsqlite3_changes64(h.tls, h.db)
	if rc := sqlite3.Xsqlite3_reset(h.tls, w.stmt); rc != sqlite3.SQLITE_OK {
		return 0, w.err(rc)
	}
	return n, nil
}

func (w *liteWriter) prepare(query string) error {
	h := w.h
	w.finalize()
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(h.tls, q)
	pp := libc.Xmalloc(h.tls, types.Size_t(unsafe.Sizeof(uintptr(0))))
	if pp == 0 {
		return fmt.Errorf("cannot allocate a statement pointer")
	}
	defer libc.Xfree(h.tls, pp)
	if rc := sqlite3.Xsqlite3_prepare_v2(h.tls, h.db, q, -1, pp, 0); rc != sqlite3.SQLITE_OK {
		return w.err(rc)
	}
	if w.stmt = *(*uintptr)(cMem(pp)); w.stmt == 0 {
		return fmt.Errorf("empty statement %.40q", query)
	}
	return nil
}

// finalize lets go of the statement, whose bindings point into buf.
func (w *liteWriter) finalize() {
	if w.stmt != 0 {
		sqlite3.Xsqlite3_finalize(w.h.tls, w.stmt)
		w.stmt, w.rows = 0, 0
	}
}

func (w *liteWriter) close() {
	w.finalize()
	if w.buf != 0 {
		libc.Xfree(w.h.tls, w.buf)
		w.buf, w.cap = 0, 0
	}
}

// err is SQLite's message for rc on the handle.
func (w *liteWriter) err(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errmsg(w.h.tls, w.h.db))
	return fmt.Errorf("%s (SQLite result %d)", msg, rc)
}

// cMem turns an address in libc's memory, outside the Go heap, into a
// pointer (unsafe.Add rather than a conversion, which vet cannot tell from
// one of a Go heap address).
func cMem(p uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), p) }

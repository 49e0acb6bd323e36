package store

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestLiteHandle checks that the bulk path reaches this driver version's
// connection (if not, imports silently fall back to database/sql, slower)
// and writes through it: new rows are reported by id, rows whose key is
// taken (stored, or earlier in the same call) are skipped, in statements
// that skip none, some or all of their rows.
func TestLiteHandle(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, v := range []any{nil, 1, (*int)(nil), &struct{ db uintptr }{1}} {
		if _, ok := liteHandleOf(v); ok {
			t.Errorf("liteHandleOf(%#v) found a handle", v)
		}
	}
	cols := []string{"id", "kind", "source", "external_id", "from_us", "to_us", "lat", "lon", "radius_km",
		"admin1", "region", "confidence", "attributes", "received_at_us", "log_index"}
	row := func(id int64, ext string) []any {
		return []any{id, "firms", "viirs", ext, int64(1), int64(2), 48.5, nil, 0.375, "", "", "high", "{}", int64(3), int64(0)}
	}
	write := func(rows [][]any) map[int64]bool {
		t.Helper()
		var args []any
		for _, r := range rows {
			args = append(args, r...)
		}
		var ids map[int64]bool
		err := db.write(ctx, func(tx *tx) error {
			var ok bool
			var err error
			ids, ok, err = tx.liteInsert(ctx, "observations", cols, args, "source, external_id")
			if !ok {
				t.Fatal("liteInsert did not take the bulk path")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	var rows [][]any
	for i := range 450 { // three statements of 200, 200 and 50 rows
		rows = append(rows, row(int64(i+1), "a"+string(rune('A'+i%26))+string(rune('A'+i/26))))
	}
	if ids := write(rows); len(ids) != 450 || !ids[1] || !ids[450] {
		t.Fatalf("first write: %d ids, want 450 (1..450)", len(ids))
	}
	// Rows 451..900: the first 200 repeat stored keys (all skipped), then
	// 200 with every other key stored or repeated within the call, then 50
	// new ones.
	rows = rows[:0]
	want := map[int64]bool{}
	for i := range 450 {
		id := int64(451 + i)
		ext := "b" + string(rune('A'+i%26)) + string(rune('A'+i/26))
		switch {
		case i < 200:
			ext = "a" + string(rune('A'+i%26)) + string(rune('A'+i/26))
		case i < 400 && i%2 == 1:
			ext = "b" + string(rune('A'+(i-1)%26)) + string(rune('A'+(i-1)/26)) // the row before's key
		default:
			want[id] = true
		}
		rows = append(rows, row(id, ext))
	}
	if ids := write(rows); !reflect.DeepEqual(ids, want) {
		t.Fatalf("second write: %d ids, want %d", len(ids), len(want))
	}
	// The constant columns (bound once a statement) and the others (per
	// row) hold what was given.
	var n, exts, idSum int
	err = db.rw.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT external_id), sum(id) FROM observations
		WHERE kind = 'firms' AND lon IS NULL AND lat = 48.5 AND radius_km = 0.375 AND from_us = 1`).Scan(&n, &exts, &idSum)
	wantSum := 450 * 451 / 2
	for id := range want {
		wantSum += int(id)
	}
	if err != nil || n != 450+len(want) || exts != n || idSum != wantSum {
		t.Fatalf("%d rows, %d external ids, id sum %d stored with the bound values (%v), want %d, %d, %d", n, exts, idSum, err, 450+len(want), 450+len(want), wantSum)
	}
}

func TestConstantColumns(t *testing.T) {
	negZero := math.Copysign(0, -1)
	args := []any{int64(1), "a", nil, 0.0, int64(7), true,
		int64(2), "a", nil, negZero, int(7), true}
	constant, k := constantColumns(args, 6)
	if want := []bool{false, true, true, false, false, true}; !reflect.DeepEqual(constant, want) || k != 3 {
		t.Fatalf("constantColumns = %v, %d; want %v, 3", constant, k, want)
	}
	if got, want := liteInsertSQL("t", []string{"a", "b", "c", "d", "e", "f"}, 2, constant),
		"INSERT INTO t (a, b, c, d, e, f) VALUES (?4, ?1, ?2, ?5, ?6, ?3), (?7, ?1, ?2, ?8, ?9, ?3)"; got != want {
		t.Fatalf("liteInsertSQL =\n%s\nwant\n%s", got, want)
	}
	if constant, k := constantColumns(args[:6], 6); k != 0 || slices.Contains(constant, true) {
		t.Errorf("one row: constant columns %v", constant)
	}
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/truce-monitor/truce/internal/ledger"
)

// Leaf kinds of bulk imports, beside the ledger.Kind* constants: one leaf
// per imported batch rather than one per record. See Batch.
const (
	KindReportBatch      = "report_batch"
	KindObservationBatch = "observation_batch"
)

// Batch is the record of a batch leaf: the records one import added, by
// id, each with the SHA-256 of the leaf it would have had on its own,
// ledger.Encode(Kind, id, at, record). So one record can be checked
// against the log without the others. Its record id is "first-last": a
// batch's ids are consecutive.
type Batch struct {
	Kind  string      `json:"kind"`
	Items []BatchItem `json:"items"`
}

// BatchItem is one record of a Batch.
type BatchItem struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// batchID returns the record id of a batch leaf.
func batchID(first, last int64) string {
	return strconv.FormatInt(first, 10) + "-" + strconv.FormatInt(last, 10)
}

// parseBatchID reads "first-last".
func parseBatchID(id string) (first, last int64, err error) {
	a, b, ok := strings.Cut(id, "-")
	if ok {
		first, err = strconv.ParseInt(a, 10, 64)
		if err == nil {
			last, err = strconv.ParseInt(b, 10, 64)
		}
	}
	if !ok || err != nil || first < 1 || last < first {
		return 0, 0, fmt.Errorf("bad batch id %q", id)
	}
	return first, last, nil
}

// importNew writes the rows of a bulk import like insertNew: those whose
// unique key (the columns of conflict) is taken, by a stored row or an
// earlier one in args, are skipped, and it returns the ids of the rows it
// wrote. On PostgreSQL the rows travel by COPY, far cheaper than INSERT
// statements, into a temporary table dropped at commit, from which one
// INSERT ... SELECT adds those whose key is free: COPY itself has no ON
// CONFLICT. It runs once per transaction and table.
func (t *tx) importNew(ctx context.Context, table string, cols []string, args []any, conflict string) (map[int64]bool, error) {
	if t.conn == nil {
		if ids, ok, err := t.liteInsert(ctx, table, cols, args, conflict); ok {
			return ids, err
		}
		return t.insertNew(ctx, table, cols, args, conflict)
	}
	nc := len(cols)
	if len(args)%nc != 0 {
		return nil, fmt.Errorf("import %s: %d values for %d columns", table, len(args), nc)
	}
	staged := stagingTable(table)
	if _, err := t.tx.ExecContext(ctx, "CREATE TEMPORARY TABLE "+staged+" (LIKE "+table+") ON COMMIT DROP"); err != nil {
		return nil, fmt.Errorf("import %s: %w", table, err)
	}
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		// The pgx connection is in the transaction database/sql began.
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{staged}, cols, pgx.CopyFromSlice(len(args)/nc, func(i int) ([]any, error) {
			return args[i*nc : (i+1)*nc], nil
		}))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: copy: %w", table, err)
	}
	list := strings.Join(cols, ", ")
	// By id, so that of two rows with one key the earlier one is kept.
	q := "INSERT INTO " + table + " (" + list + ") SELECT " + list + " FROM " + staged +
		" ORDER BY id ON CONFLICT (" + conflict + ") DO NOTHING RETURNING id"
	ids := make(map[int64]bool, len(args)/nc)
	if err := collectIDs(ctx, pgStmt{t.tx, q}, nil, ids); err != nil {
		return nil, fmt.Errorf("import %s: %w", table, err)
	}
	return ids, nil
}

// importRows writes rows like insert, by the bulk path on SQLite (see
// liteInsert).
func (t *tx) importRows(ctx context.Context, table string, cols []string, args []any) error {
	if _, ok, err := t.liteInsert(ctx, table, cols, args, ""); ok {
		return err
	}
	return t.insert(ctx, table, cols, args)
}

// stagingTable names the temporary table a bulk import into table
// copies its rows to.
func stagingTable(table string) string { return "import_" + table }

// encodeLeaves encodes the leaf data of records, in parallel: encoding is
// most of the CPU time of a bulk import but for the database's own.
func encodeLeaves[T any](kind string, recs []T, leaf func(T) (int64, any), at time.Time) ([][]byte, error) {
	out := make([][]byte, len(recs))
	errs := make([]error, len(recs))
	parallel(len(recs), func(i int) {
		id, rec := leaf(recs[i])
		out[i], errs[i] = ledger.Encode(kind, strconv.FormatInt(id, 10), at, rec)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addBatch appends one batch leaf for the records with ids id(0), id(1),
// ..., in increasing order, whose own leaves would be leaves.
func (a *appender) addBatch(ctx context.Context, batchKind, itemKind string, id func(i int) int64, leaves [][]byte) (int64, error) {
	b := newBatch(itemKind, id, leaves)
	return a.appendLeaf(ctx, batchKind, batchID(id(0), id(len(leaves)-1)), b)
}

// newBatch returns the Batch of leaves, the i-th for the record with id(i).
func newBatch(itemKind string, id func(i int) int64, leaves [][]byte) Batch {
	b := Batch{Kind: itemKind, Items: make([]BatchItem, len(leaves))}
	parallel(len(leaves), func(i int) {
		sum := sha256.Sum256(leaves[i])
		b.Items[i] = BatchItem{ID: id(i), SHA256: hex.EncodeToString(sum[:])}
	})
	return b
}

// parallel calls fn(i) for i in [0, n), spread over the CPUs when n is
// large enough to be worth it.
func parallel(n int, fn func(i int)) {
	parallelRanges(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// parallelRanges is parallel for a function of consecutive ranges
// [lo, hi) that together cover [0, n), each called on one goroutine.
func parallelRanges(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/256)
	if workers < 2 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

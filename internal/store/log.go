package store

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// appender appends leaves to the log inside one write transaction. It
// keeps the hashes it reads or makes, so that a batch of appends reads
// the tree's right edge from the database once and then works in memory;
// the rows are written by flush, just before the commit.
type appender struct {
	t       *tx
	loaded  bool
	size    int64 // including the leaves appended in this transaction
	cache   map[int64]tlog.Hash
	entries []any // log_entries rows, flattened
	hashes  []any // log_hashes rows, flattened
}

var (
	logEntryCols = []string{"idx", "kind", "record_id", "at_us", "data"}
	logHashCols  = []string{"idx", "hash"}
)

func (a *appender) load(ctx context.Context) error {
	if a.loaded {
		return nil
	}
	if err := a.t.queryRow(ctx, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").Scan(&a.size); err != nil {
		return fmt.Errorf("log size: %w", err)
	}
	a.cache = map[int64]tlog.Hash{}
	a.loaded = true
	return nil
}

// next returns the index the next appended leaf will get.
func (a *appender) next(ctx context.Context) (int64, error) {
	if err := a.load(ctx); err != nil {
		return 0, err
	}
	return a.size, nil
}

// add appends a leaf and returns its index.
func (a *appender) add(ctx context.Context, kind, id string, data []byte) (int64, error) {
	if err := a.load(ctx); err != nil {
		return 0, err
	}
	n := a.size
	hashes, err := tlog.StoredHashes(n, data, a.reader(ctx))
	if err != nil {
		return 0, fmt.Errorf("log append %s %s: %w", kind, id, err)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		idx := first + int64(i)
		a.cache[idx] = h
		a.hashes = append(a.hashes, idx, h[:])
	}
	a.entries = append(a.entries, n, kind, id, micros(a.t.now), data)
	a.size++
	return n, nil
}

// appendLeaf encodes a record's leaf and appends it. The leaf's time is
// the transaction's, which is also what the record's row keeps.
func (a *appender) appendLeaf(ctx context.Context, kind, id string, record any) (int64, error) {
	data, err := ledger.Encode(kind, id, a.t.now, record)
	if err != nil {
		return 0, err
	}
	return a.add(ctx, kind, id, data)
}

// reader reads stored hashes from the cache, else from the transaction.
func (a *appender) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, idx := range indexes {
			h, ok := a.cache[idx]
			if !ok {
				missing = append(missing, idx)
				continue
			}
			out[i] = h
		}
		if len(missing) == 0 {
			return out, nil
		}
		found, err := readHashes(ctx, a.t.db, a.t.q(), missing)
		if err != nil {
			return nil, err
		}
		for i, idx := range indexes {
			if h, ok := found[idx]; ok {
				a.cache[idx] = h
				out[i] = h
			}
		}
		return out, nil
	})
}

// flushStatements returns the statements that write the pending rows,
// and forgets them: write runs them in one round trip with the
// notification (pipeline.go).
func (a *appender) flushStatements() []statement {
	if len(a.entries) == 0 {
		return nil
	}
	out := append(insertStatements("log_entries", logEntryCols, a.entries), insertStatements("log_hashes", logHashCols, a.hashes)...)
	a.entries, a.hashes = nil, nil
	return out
}

// logEdge keeps, between transactions, the stored hashes of the log's
// right edge as this process last committed it: the hashes of its
// complete subtrees, which the next appends and tree hashes read. Stored
// hashes never change once committed, so they stay right whatever other
// processes append since; they only save the next transaction a read
// under the lock (a round trip on PostgreSQL).
type logEdge struct {
	mu     sync.Mutex
	hashes map[int64]tlog.Hash
	size   int64 // the log's size the hashes are the edge of
	known  bool  // whether hashes and size are set
}

// seed copies the kept hashes into a transaction's cache.
func (e *logEdge) seed(cache map[int64]tlog.Hash) {
	e.mu.Lock()
	defer e.mu.Unlock()
	maps.Copy(cache, e.hashes)
}

// maxEdgeCatchUp bounds the hashes a write reads, with the log's lock,
// for the leaves other processes appended since this one's last commit.
const maxEdgeCatchUp = 256

// catchUp returns, on PostgreSQL, the read that goes with the log's lock
// and brings the hashes other processes (API nodes) stored since this
// process last committed: the edge of the log's new size is made of the
// kept edge's hashes and of hashes stored since (a complete subtree of
// the new size that lies within the kept size is one of the kept edge's
// subtrees), so that the appends find every hash they need in the cache
// rather than read the missing ones in a round trip of their own under
// the lock. Only the latest maxEdgeCatchUp are read: a process idle while
// many leaves were appended reads what is missing as before (reader).
// Stored hashes never change, so whatever is read is right to keep.
func (e *logEdge) catchUp(into map[int64]tlog.Hash) []statement {
	e.mu.Lock()
	size, known := e.size, e.known
	e.mu.Unlock()
	if !known {
		return nil
	}
	return []statement{{
		query: "SELECT idx, hash FROM log_hashes WHERE idx >= ? ORDER BY idx DESC LIMIT " + strconv.Itoa(maxEdgeCatchUp),
		args:  []any{tlog.StoredHashCount(size)},
		scan: func(rows rowScanner) error {
			for rows.Next() {
				var idx int64
				var b []byte
				if err := rows.Scan(&idx, &b); err != nil {
					return fmt.Errorf("read edge hashes: %w", err)
				}
				if len(b) != tlog.HashSize {
					return fmt.Errorf("read edge hashes: hash %d has %d bytes", idx, len(b))
				}
				into[idx] = tlog.Hash(b)
			}
			return rows.Err()
		},
	}}
}

// keep records, after a commit, the edge hashes of a log of size leaves
// that cache holds.
func (e *logEdge) keep(cache map[int64]tlog.Hash, size int64) {
	kept := map[int64]tlog.Hash{}
	for level := 0; size>>level > 0; level++ {
		if (size>>level)&1 == 1 {
			idx := tlog.StoredHashIndex(level, size>>level-1)
			if h, ok := cache[idx]; ok {
				kept[idx] = h
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hashes, e.size, e.known = kept, size, true
}

// readHashes reads stored hashes by index; all must exist. Runs of
// consecutive indexes (a verifier reads a chunk of the log's hashes at
// once) are read by range, the rest by lists.
func readHashes(ctx context.Context, db *DB, q querier, indexes []int64) (map[int64]tlog.Hash, error) {
	found := make(map[int64]tlog.Hash, len(indexes))
	var scattered []int64
	for i := 0; i < len(indexes); {
		j := i + 1
		for j < len(indexes) && indexes[j] == indexes[j-1]+1 {
			j++
		}
		if j-i < 64 {
			scattered = append(scattered, indexes[i:j]...)
		} else if err := readHashRange(ctx, db, q, indexes[i], indexes[j-1]+1, found); err != nil {
			return nil, err
		}
		i = j
	}
	indexes = scattered
	for len(indexes) > 0 {
		chunk := indexes[:min(len(indexes), 500)]
		indexes = indexes[len(chunk):]
		args := make([]any, len(chunk))
		for i, idx := range chunk {
			args[i] = idx
		}
		rows, err := db.query(ctx, q, "SELECT idx, hash FROM log_hashes WHERE idx IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		for rows.Next() {
			var idx int64
			var b []byte
			if err := rows.Scan(&idx, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read hashes: %w", err)
			}
			if len(b) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("read hashes: hash %d has %d bytes", idx, len(b))
			}
			found[idx] = tlog.Hash(b)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		for _, idx := range chunk {
			if _, ok := found[idx]; !ok {
				return nil, truce.Errorf(truce.ENOTFOUND, "log hash %d not found", idx)
			}
		}
	}
	return found, nil
}

// readHashRange reads the stored hashes [lo, hi) into found; all must
// exist.
func readHashRange(ctx context.Context, db *DB, q querier, lo, hi int64, found map[int64]tlog.Hash) error {
	rows, err := db.query(ctx, q, "SELECT idx, hash FROM log_hashes WHERE idx >= ? AND idx < ? ORDER BY idx", lo, hi)
	if err != nil {
		return fmt.Errorf("read hashes: %w", err)
	}
	defer rows.Close()
	n := int64(0)
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return fmt.Errorf("read hashes: %w", err)
		}
		if len(b) != tlog.HashSize {
			return fmt.Errorf("read hashes: hash %d has %d bytes", idx, len(b))
		}
		found[idx] = tlog.Hash(b)
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read hashes: %w", err)
	}
	if n != hi-lo {
		for idx := lo; idx < hi; idx++ {
			if _, ok := found[idx]; !ok {
				return truce.Errorf(truce.ENOTFOUND, "log hash %d not found", idx)
			}
		}
	}
	return nil
}

// LogSize returns the number of leaves in the log.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := db.queryRow(ctx, db.ro, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// LogEntries returns the leaves with index in [start, end), in order;
// fewer if the log is shorter. It returns EINVALID for a bad range.
func (db *DB) LogEntries(ctx context.Context, start, end int64) ([]ledger.Entry, error) {
	if start < 0 || end < start {
		return nil, truce.Invalid("", "bad log range [%d, %d)", start, end)
	}
	rows, err := db.query(ctx, db.ro, "SELECT idx, kind, record_id, at_us, data FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx", start, end)
	if err != nil {
		return nil, fmt.Errorf("log entries: %w", err)
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		var e ledger.Entry
		var at int64
		if err := rows.Scan(&e.Index, &e.Kind, &e.RecordID, &at, &e.Data); err != nil {
			return nil, fmt.Errorf("log entries: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("log entries: %w", err)
	}
	return out, nil
}

// ReadHashes returns the stored hashes at the given tlog stored-hash
// indexes, in the same order, as tlog.HashReader requires. It returns
// ENOTFOUND if one is missing.
func (db *DB) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	found, err := readHashes(ctx, db, db.ro, indexes)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		out[i] = found[idx]
	}
	return out, nil
}

// HashReader returns db.ReadHashes as a tlog.HashReader bound to ctx.
func (db *DB) HashReader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return db.ReadHashes(ctx, indexes)
	})
}

// SaveCheckpoint records a signed checkpoint of the log at size. The root
// must be the log's tree hash at that size (EINVALID otherwise, and for a
// size beyond the log). Saving a checkpoint of a size already saved keeps
// the first one.
func (db *DB) SaveCheckpoint(ctx context.Context, size int64, root tlog.Hash, note []byte) error {
	if len(note) == 0 {
		return truce.Invalid("note", "required: the signed note")
	}
	return db.write(ctx, func(t *tx) error {
		n, err := t.log.next(ctx)
		if err != nil {
			return err
		}
		if size < 0 || size > n {
			return truce.Invalid("size", "checkpoint size %d is outside the log (size %d)", size, n)
		}
		got, err := tlog.TreeHash(size, t.log.reader(ctx))
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if got != root {
			return truce.Invalid("root", "checkpoint root %s is not the log's root %s at size %d", root, got, size)
		}
		var exists int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM checkpoints WHERE size = ?", size).Scan(&exists); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if exists > 0 {
			return nil
		}
		if _, err := t.exec(ctx, "INSERT INTO checkpoints (size, root, note, at_us) VALUES (?, ?, ?, ?)", size, root[:], note, micros(t.now)); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		return nil
	})
}

// Checkpoints returns every saved checkpoint, by size.
func (db *DB) Checkpoints(ctx context.Context) ([]ledger.Checkpoint, error) {
	return db.checkpoints(ctx, "SELECT size, root, note, at_us FROM checkpoints ORDER BY size")
}

// LatestCheckpoint returns the checkpoint of the largest size, or
// ENOTFOUND if none was saved.
func (db *DB) LatestCheckpoint(ctx context.Context) (ledger.Checkpoint, error) {
	cs, err := db.checkpoints(ctx, "SELECT size, root, note, at_us FROM checkpoints ORDER BY size DESC LIMIT 1")
	if err != nil {
		return ledger.Checkpoint{}, err
	}
	if len(cs) == 0 {
		return ledger.Checkpoint{}, truce.Errorf(truce.ENOTFOUND, "no checkpoint yet")
	}
	return cs[0], nil
}

func (db *DB) checkpoints(ctx context.Context, query string) ([]ledger.Checkpoint, error) {
	rows, err := db.query(ctx, db.ro, query)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	var out []ledger.Checkpoint
	for rows.Next() {
		var c ledger.Checkpoint
		var root []byte
		var at int64
		if err := rows.Scan(&c.Size, &root, &c.Note, &at); err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
		if len(root) != tlog.HashSize {
			return nil, fmt.Errorf("checkpoint %d: root has %d bytes", c.Size, len(root))
		}
		c.Root = tlog.Hash(root)
		c.At = fromMicros(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return out, nil
}

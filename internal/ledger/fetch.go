package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// fetched is one chunk of the log as Verify reads it: the entries, the
// hashes stored with them, and their records encoded anew.
type fetched struct {
	start, end int64
	entries    []Entry     // one per index present, in order
	stored     []tlog.Hash // stored hashes of leaves [start, end); nil if not served
	encoded    [][]byte    // per entry: its record encoded now
	encErr     []error     // per entry: why not (ENOTFOUND: the record is gone)
	noHashes   bool        // the source does not serve stored hashes
	noRecords  bool        // the source cannot re-read records
	err        error       // the chunk could not be read
	hashErr    error       // the stored hashes could not be read (read beside the rest)
}

// fetchChunks reads the log [0, size) a chunk at a time and hands each
// chunk to check, in order. The next chunk is read while check works on
// this one, and within a chunk the stored hashes are read while the
// records are re-read and re-encoded: on a database these are separate
// queries, and a verifier of a million entries spends its time in them.
func fetchChunks(ctx context.Context, src Source, size int64, check func(*fetched)) error {
	next := func(start int64) chan *fetched {
		c := make(chan *fetched, 1)
		go func() { c <- fetch(ctx, src, start, min(start+verifyChunk, size)) }()
		return c
	}
	var ahead chan *fetched
	if size > 0 {
		ahead = next(0)
	}
	for start := int64(0); start < size; start += verifyChunk {
		f := <-ahead
		if f.err != nil {
			return f.err
		}
		if start+verifyChunk < size {
			ahead = next(start + verifyChunk)
		}
		check(f)
	}
	return ctx.Err()
}

// fetch reads entries [start, end), their stored hashes and their records.
func fetch(ctx context.Context, src Source, start, end int64) *fetched {
	f := &fetched{start: start, end: end}
	var wg sync.WaitGroup
	wg.Go(func() { f.storedHashes(ctx, src) })
	defer func() {
		wg.Wait()
		if f.err == nil {
			f.err = f.hashErr
		}
	}()
	entries, err := src.LogEntries(ctx, start, end)
	if err != nil {
		f.err = fmt.Errorf("verify: read entries %d..%d: %w", start, end, err)
		return f
	}
	// Keep one entry per index in range, in order; anything else the
	// source returned is not a log entry at its place.
	entries = slices.DeleteFunc(entries, func(e Entry) bool { return e.Index < start || e.Index >= end })
	slices.SortStableFunc(entries, func(a, b Entry) int { return cmp.Compare(a.Index, b.Index) })
	f.entries = slices.CompactFunc(entries, func(a, b Entry) bool { return a.Index == b.Index })
	f.reencode(ctx, src)
	return f
}

var missingHash tlog.Hash // all zero: a hash the store could not read

func isMissing(hs []tlog.Hash) bool { return slices.Contains(hs, missingHash) }

// storedHashes reads the stored hashes written with the chunk's leaves: a
// contiguous range of stored-hash indexes, in one call. If the source
// cannot read them all, it reads them leaf by leaf so that the gaps are
// pinned to their entries (zero hashes mark them).
func (f *fetched) storedHashes(ctx context.Context, src Source) {
	lo, hi := tlog.StoredHashIndex(0, f.start), tlog.StoredHashIndex(0, f.end)
	idx := make([]int64, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	hs, err := src.ReadHashes(ctx, idx)
	if errors.Is(err, errors.ErrUnsupported) {
		f.noHashes = true
		return
	}
	if err == nil && len(hs) == len(idx) {
		f.stored = hs
		return
	}
	if ctx.Err() != nil {
		f.hashErr = ctx.Err()
		return
	}
	f.stored = make([]tlog.Hash, len(idx))
	for n := f.start; n < f.end; n++ {
		a, b := tlog.StoredHashIndex(0, n), tlog.StoredHashIndex(0, n+1)
		one, err := src.ReadHashes(ctx, idx[a-lo:b-lo])
		if err == nil && len(one) == int(b-a) {
			copy(f.stored[a-lo:], one)
		}
	}
}

// reencode asks the source for the current encoding of every entry's
// record: in one call if it can (BatchReencoder), else one call per entry,
// in parallel, since each is an independent read.
func (f *fetched) reencode(ctx context.Context, src Source) {
	if f.err != nil || len(f.entries) == 0 {
		return
	}
	es := f.entries
	f.encoded, f.encErr = make([][]byte, len(es)), make([]error, len(es))
	if br, ok := src.(BatchReencoder); ok {
		out, err := br.ReencodeBatch(ctx, es)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			f.noRecords = true
		case err != nil:
			f.err = fmt.Errorf("verify: re-read entries %d..%d: %w", es[0].Index, es[len(es)-1].Index, err)
		case len(out) != len(es):
			f.err = fmt.Errorf("verify: re-read %d entries, got %d records", len(es), len(out))
		default:
			for i, data := range out {
				f.encoded[i] = data
				if data == nil {
					f.encErr[i] = truce.Errorf(truce.ENOTFOUND, "%s %s not found", es[i].Kind, es[i].RecordID)
				}
			}
		}
		return
	}
	workers := min(runtime.GOMAXPROCS(0), 8, len(es))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(es); i += workers {
				f.encoded[i], f.encErr[i] = src.Reencode(ctx, es[i])
			}
		})
	}
	wg.Wait()
	for i, err := range f.encErr {
		switch {
		case err == nil, truce.ErrorCode(err) == truce.ENOTFOUND:
		case errors.Is(err, errors.ErrUnsupported):
			f.noRecords = true
			return
		default:
			f.err = fmt.Errorf("verify: re-read entry %d (%s %s): %w", es[i].Index, es[i].Kind, es[i].RecordID, err)
			return
		}
	}
}

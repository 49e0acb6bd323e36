package store

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// ReencodeBatch implements ledger.BatchReencoder: for each entry, in order,
// what Reencode returns, or nil where the record is gone (ENOTFOUND). It
// fails on any other error, as Verify would on Reencode's.
//
// Single report and observation leaves, of which a large log is mostly
// made, are read by runs of ids, one query per run, and encoded on every
// core; a query per leaf would cost verify of a million leaves minutes.
// Other kinds, batch leaves included (one range each already), are
// re-encoded one by one, also on every core.
func (db *DB) ReencodeBatch(ctx context.Context, es []ledger.Entry) ([][]byte, error) {
	out := make([][]byte, len(es))
	var reports, obs, others []int // indexes into es
	for i, e := range es {
		switch e.Kind {
		case ledger.KindReport:
			reports = append(reports, i)
		case ledger.KindObservation:
			obs = append(obs, i)
		default:
			others = append(others, i)
		}
	}
	if err := reencodeRuns(ctx, es, reports, out, func(lo, hi int64) (map[int64]leafRecord, error) {
		rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE id >= ? AND id <= ? ORDER BY id", lo, hi)
		if err != nil {
			return nil, err
		}
		m := make(map[int64]leafRecord, len(rs))
		for _, r := range rs {
			m[r.ID] = leafRecord{rec: leafReport(r), at: r.ReceivedAt}
		}
		return m, nil
	}); err != nil {
		return nil, err
	}
	if err := reencodeRuns(ctx, es, obs, out, func(lo, hi int64) (map[int64]leafRecord, error) {
		got, received, err := db.observations(ctx, "SELECT "+observationCols+" FROM observations WHERE id >= ? AND id <= ? ORDER BY id", lo, hi)
		if err != nil {
			return nil, err
		}
		m := make(map[int64]leafRecord, len(got))
		for i, o := range got {
			m[o.ID] = leafRecord{rec: o, at: received[i]}
		}
		return m, nil
	}); err != nil {
		return nil, err
	}
	return out, reencodeEach(ctx, db, es, others, out)
}

// leafRecord is a record as its leaf encodes it, and the leaf's time.
type leafRecord struct {
	rec any
	at  time.Time
}

// maxRunGap is the largest gap between two ids read in one range query:
// reading a few records no leaf needs costs less than another query.
const maxRunGap = 64

// reencodeRuns re-encodes the entries es[idx...] of one kind whose record
// ids are numbers: read reads the records with ids in [lo, hi]. Entries
// whose id is not a record id go to Reencode, for its error.
func reencodeRuns(ctx context.Context, es []ledger.Entry, idx []int, out [][]byte, read func(lo, hi int64) (map[int64]leafRecord, error)) error {
	type want struct {
		id int64
		i  int
	}
	var ws []want
	var odd []int
	for _, i := range idx {
		id, err := strconv.ParseInt(es[i].RecordID, 10, 64)
		if err != nil || id < 1 || strconv.FormatInt(id, 10) != es[i].RecordID {
			odd = append(odd, i)
			continue
		}
		ws = append(ws, want{id, i})
	}
	slices.SortFunc(ws, func(a, b want) int { return cmp.Compare(a.id, b.id) })
	recs := map[int64]leafRecord{}
	for lo := 0; lo < len(ws); {
		hi := lo
		for hi+1 < len(ws) && ws[hi+1].id-ws[hi].id <= maxRunGap {
			hi++
		}
		m, err := read(ws[lo].id, ws[hi].id)
		if err != nil {
			return err
		}
		for _, w := range ws[lo : hi+1] {
			if r, ok := m[w.id]; ok {
				recs[w.id] = r
			}
		}
		lo = hi + 1
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	errs := make([]error, len(ws))
	parallel(len(ws), func(k int) {
		w := ws[k]
		if r, ok := recs[w.id]; ok {
			e := es[w.i]
			out[w.i], errs[k] = ledger.Encode(e.Kind, e.RecordID, r.at, r.rec)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// reencodeEach re-encodes es[idx...] with Reencode, a query each, on as
// many goroutines as there are cores.
func reencodeEach(ctx context.Context, db *DB, es []ledger.Entry, idx []int, out [][]byte) error {
	errs := make([]error, len(idx))
	workers := min(runtime.GOMAXPROCS(0), len(idx))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < len(idx); k += workers {
				i := idx[k]
				data, err := db.Reencode(ctx, es[i])
				if truce.ErrorCode(err) == truce.ENOTFOUND {
					data, err = nil, nil
				}
				out[i], errs[k] = data, err
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

package feed

import (
	"context"
	"time"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// batchSize bounds the leaves read at once, so that a reader far behind
// (a client resuming after a bulk import) works in constant memory.
const batchSize = 500

// Follower reads the log in order from a position, waiting for it to grow.
// It is not safe for concurrent use.
type Follower struct {
	db   *store.DB
	next int64
}

// NewFollower returns a follower whose first entry will be the leaf at
// index next.
func NewFollower(db *store.DB, next int64) *Follower {
	return &Follower{db: db, next: max(next, 0)}
}

// Next returns the index of the next leaf the follower will read.
func (f *Follower) Next() int64 { return f.next }

// Read returns the next entries, up to batchSize, waiting up to wait for
// the log to grow when the follower has read it all. No entries and no
// error means nothing arrived in time. It returns ctx.Err() when ctx ends.
func (f *Follower) Read(ctx context.Context, wait time.Duration) ([]ledger.Entry, error) {
	size, err := f.db.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	if size <= f.next {
		wctx, cancel := context.WithTimeout(ctx, wait)
		size, err = f.db.WaitLog(wctx, f.next)
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			if wctx.Err() != nil { // waited long enough
				return nil, nil
			}
			return nil, err
		}
	}
	es, err := f.db.LogEntries(ctx, f.next, min(size, f.next+batchSize))
	if err != nil {
		return nil, err
	}
	if len(es) > 0 {
		f.next = es[len(es)-1].Index + 1
	}
	return es, nil
}

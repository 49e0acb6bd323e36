package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// walRestartFrames bounds the WAL of a bulk import (256 MB of 4 KiB
// pages). The writer starts the WAL over only when it begins a
// transaction with every frame copied, which a checkpoint beside it
// seldom finishes in time; past this size one checkpoint runs on the
// writer's connection, between two of its transactions, so that the next
// one starts over. (A RESTART checkpoint from the side waited for a gap
// between the writer's transactions for the rest of a 1M-row import.)
const walRestartFrames = 1 << 16

// checkpointEvery is how often a bulk import's checkpointer copies what
// the writer committed into the database file: about one 5,000-row batch.
const checkpointEvery = 100 * time.Millisecond

// CheckpointAside moves the WAL checkpoints of a bulk import off the
// writer, on SQLite: the writer stops checkpointing when its commits
// pass 1,000 pages (SQLite's wal_autocheckpoint), and a reader connection
// checkpoints every checkpointEvery instead, on the other core, while the
// writer goes on with the next batch. Commits are as durable as before
// (each still syncs the WAL); only copying pages to the database file
// moves. On 1M generated ACLED rows the checkpoints were 1.6 s of the
// single writer's 14 s.
//
// stop ends it: the writer checkpoints again as before, and one last
// checkpoint runs before stop returns. On PostgreSQL it does nothing.
func (db *DB) CheckpointAside(ctx context.Context) (stop func()) {
	if db.dialect != SQLite {
		return func() {}
	}
	// The pool of writers is one connection, so the PRAGMA reaches it.
	if _, err := db.rw.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		db.log.Debug("checkpoints stay on the writer", "err", err)
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if db.checkpoint(ctx, db.ro) >= walRestartFrames {
					db.checkpoint(ctx, db.rw)
				}
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			ctx := context.WithoutCancel(ctx)
			if _, err := db.rw.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 1000"); err != nil {
				db.log.Warn("wal_autocheckpoint", "err", err)
			}
			db.checkpoint(ctx, db.ro)
		})
	}
}

// checkpoint copies the committed WAL frames no reader needs into the
// database file, on a connection of pool, without waiting for the writer
// or readers (PASSIVE), and returns the WAL's frames. A checkpoint that
// fails is only logged: the next one, or the writer's own, does the work.
func (db *DB) checkpoint(ctx context.Context, pool *sql.DB) (frames int64) {
	var busy, copied int64
	if err := pool.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		db.log.Debug("checkpoint", "err", err)
		return 0
	}
	db.log.Debug("checkpoint", "writer", pool == db.rw, "busy", busy, "frames", frames, "copied", copied)
	return frames
}

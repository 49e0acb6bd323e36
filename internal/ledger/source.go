package ledger

import (
	"context"

	"golang.org/x/mod/sumdb/tlog"
)

// Source is the log's storage, implemented by internal/store (and by an
// in-memory fake in tests). Entries are numbered from 0; hashes are indexed
// as in tlog.StoredHashIndex and written with tlog.StoredHashes in the same
// transaction as the record they log.
type Source interface {
	// LogSize returns the number of entries in the log.
	LogSize(ctx context.Context) (int64, error)
	// LogEntries returns the entries with start <= index < end, in index
	// order. Indexes past the end of the log are simply absent.
	LogEntries(ctx context.Context, start, end int64) ([]Entry, error)
	// ReadHashes returns the stored hashes at the given tlog stored-hash
	// indexes, in the same order (tlog.HashReader semantics); an error if
	// any is missing.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// SaveCheckpoint stores a signed checkpoint of the tree at size.
	SaveCheckpoint(ctx context.Context, size int64, root tlog.Hash, note []byte) error
	// Checkpoints returns every stored checkpoint, oldest first.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// LatestCheckpoint returns the newest checkpoint; ENOTFOUND if none.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	// Reencode re-reads the record behind e from its own table and returns
	// Encode of it as it is stored now; ENOTFOUND if the record is gone.
	Reencode(ctx context.Context, e Entry) ([]byte, error)
}

// HashReader adapts src to tlog.HashReader, which has no context.
func HashReader(ctx context.Context, src Source) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return src.ReadHashes(ctx, indexes)
	})
}

// BatchReencoder is an optional capability of a Source: re-encoding the
// records of many entries at once. Verify uses it when the Source has it,
// because on a real database one query per chunk of entries costs a small
// fraction of one query per entry, and Verify of a million entries is
// dominated by these reads.
type BatchReencoder interface {
	// ReencodeBatch returns, for each entry in order, what Reencode would:
	// the record's encoding now, or nil if the record is gone. An error
	// fails the batch.
	ReencodeBatch(ctx context.Context, es []Entry) ([][]byte, error)
}

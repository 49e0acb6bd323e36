package ledger

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// EmptyRoot is the RFC 6962 root of the empty tree, SHA-256 of nothing
// (tlog.TreeHash(0) returns the zero hash instead). Log never signs an
// empty tree; Verify reports this root for an empty log.
var EmptyRoot = tlog.Hash(sha256.Sum256(nil))

// Log issues signed checkpoints of a Source and proves inclusion and
// consistency from its stored hashes.
type Log struct {
	src    Source
	signer note.Signer
	logger *slog.Logger
	mu     sync.Mutex // one checkpoint at a time, so two callers do not both sign one size
}

// NewLog returns a Log over src signing with signer. A nil logger discards.
func NewLog(src Source, signer note.Signer, logger *slog.Logger) *Log {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Log{src: src, signer: signer, logger: logger}
}

// Checkpoint signs and stores a checkpoint of the log at its current size
// and returns it; if the latest checkpoint already has that size, it is
// returned and nothing is signed. ENOTFOUND if the log is empty. It refuses to sign a log shorter than its
// latest checkpoint (a rollback) or one whose stored hashes are not
// consistent with it (tampering): a checkpoint must never launder either.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	size, err := l.src.LogSize(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	latest, err := l.src.LatestCheckpoint(ctx)
	have := err == nil
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	if have && latest.Size == size {
		return latest, nil
	}
	if size == 0 {
		// tlog and RFC 6962 disagree on the empty tree's root, and there
		// is nothing to vouch for: the first checkpoint waits for a leaf.
		return Checkpoint{}, truce.Errorf(truce.ENOTFOUND, "the log is empty: nothing to sign yet")
	}
	if have && latest.Size > size {
		return Checkpoint{}, fmt.Errorf("checkpoint: log has %d entries but its latest checkpoint has %d: the log was rolled back", size, latest.Size)
	}
	root, err := l.root(ctx, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	if have && latest.Size > 0 {
		p, err := tlog.ProveTree(size, latest.Size, HashReader(ctx, l.src))
		if err != nil {
			return Checkpoint{}, fmt.Errorf("checkpoint: prove %d..%d: %w", latest.Size, size, err)
		}
		if err := tlog.CheckTree(p, size, root, latest.Size, latest.Root); err != nil {
			return Checkpoint{}, fmt.Errorf("checkpoint: tree of size %d is not consistent with the checkpoint at size %d: the stored hashes were altered", size, latest.Size)
		}
	}
	msg, err := SignCheckpoint(l.signer, size, root)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := l.src.SaveCheckpoint(ctx, size, root, msg); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: save: %w", err)
	}
	l.logger.InfoContext(ctx, "log checkpoint", "size", size, "root", root.String())
	cp, err := l.src.LatestCheckpoint(ctx)
	if err != nil || cp.Size != size {
		return Checkpoint{Size: size, Root: root, Note: msg}, nil
	}
	return cp, nil
}

// RunCheckpoints issues a checkpoint now and then every interval until ctx
// is done; with every <= 0, only now. Failures are logged, not fatal: the
// next tick tries again.
func (l *Log) RunCheckpoints(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Duration(1<<63 - 1)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_, err := l.Checkpoint(ctx)
		switch {
		case err == nil, ctx.Err() != nil:
		case truce.ErrorCode(err) == truce.ENOTFOUND:
			l.logger.DebugContext(ctx, "log checkpoint", "err", err)
		default:
			l.logger.ErrorContext(ctx, "log checkpoint", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Root returns the root hash of the tree of the given size, read from the
// stored hashes. ENOTFOUND if size is beyond the log.
func (l *Log) Root(ctx context.Context, size int64) (tlog.Hash, error) {
	if err := l.checkSize(ctx, "size", size); err != nil {
		return tlog.Hash{}, err
	}
	return l.root(ctx, size)
}

func (l *Log) root(ctx context.Context, size int64) (tlog.Hash, error) {
	if size == 0 {
		return EmptyRoot, nil
	}
	return tlog.TreeHash(size, HashReader(ctx, l.src))
}

// ProveInclusion returns the RFC 6962 audit path proving that entry index
// is in the tree of the given size. EINVALID unless 0 <= index < size;
// ENOTFOUND if size is beyond the log.
func (l *Log) ProveInclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if index < 0 {
		return nil, truce.Invalid("index", "must be at least 0")
	}
	if index >= size {
		return nil, truce.Invalid("index", "must be less than size %d", size)
	}
	if err := l.checkSize(ctx, "size", size); err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(size, index, HashReader(ctx, l.src))
	if err != nil {
		return nil, fmt.Errorf("prove inclusion of %d in %d: %w", index, size, err)
	}
	return p, nil
}

// ProveConsistency returns the RFC 6962 proof that the tree of size from
// is a prefix of the tree of size to; empty when from is 0 or equals to.
// EINVALID unless 0 <= from <= to; ENOTFOUND if to is beyond the log.
func (l *Log) ProveConsistency(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	if from < 0 {
		return nil, truce.Invalid("from", "must be at least 0")
	}
	if from > to {
		return nil, truce.Invalid("from", "must not exceed to %d", to)
	}
	if err := l.checkSize(ctx, "to", to); err != nil {
		return nil, err
	}
	if from == 0 || from == to {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(to, from, HashReader(ctx, l.src))
	if err != nil {
		return nil, fmt.Errorf("prove consistency of %d with %d: %w", from, to, err)
	}
	return p, nil
}

func (l *Log) checkSize(ctx context.Context, field string, size int64) error {
	if size < 0 {
		return truce.Invalid(field, "must be at least 0")
	}
	n, err := l.src.LogSize(ctx)
	if err != nil {
		return err
	}
	if size > n {
		return &truce.Error{Code: truce.ENOTFOUND, Field: field, Message: fmt.Sprintf("the log has only %d entries", n)}
	}
	return nil
}

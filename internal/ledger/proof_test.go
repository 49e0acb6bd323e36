package ledger_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// independentRoots returns the root of every prefix of the log's leaves,
// computed with transparency-dev/merkle rather than tlog: roots[s] is the
// root of the first s leaves.
func independentRoots(t testing.TB, m *memSource) [][]byte {
	t.Helper()
	h := rfc6962.DefaultHasher
	rf := &compact.RangeFactory{Hash: h.HashChildren}
	r := rf.NewEmptyRange(0)
	roots := [][]byte{h.EmptyRoot()}
	for _, e := range m.entries {
		if err := r.Append(h.HashLeaf(e.Data), nil); err != nil {
			t.Fatal(err)
		}
		root, err := r.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, root)
	}
	return roots
}

func toBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// TestProofsIndependent checks every inclusion and consistency proof for
// trees of sizes 1..300, and random pairs in a larger tree, with
// transparency-dev/merkle's verifier.
func TestProofsIndependent(t *testing.T) {
	ctx := context.Background()
	m := newMemSource()
	m.fill(t, 300)
	l := ledger.NewLog(m, nil, nil)
	roots := independentRoots(t, m)
	h := rfc6962.DefaultHasher

	for size := int64(1); size <= 300; size++ {
		root, err := l.Root(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(root[:], roots[size]) {
			t.Fatalf("Root(%d) = %x, independent root %x", size, root, roots[size])
		}
		for i := int64(0); i < size; i++ {
			p, err := l.ProveInclusion(ctx, i, size)
			if err != nil {
				t.Fatalf("ProveInclusion(%d, %d): %v", i, size, err)
			}
			if err := proof.VerifyInclusion(h, uint64(i), uint64(size), h.HashLeaf(m.entries[i].Data), toBytes(p), roots[size]); err != nil {
				t.Fatalf("inclusion %d in %d: %v", i, size, err)
			}
		}
		for from := int64(0); from <= size; from++ {
			p, err := l.ProveConsistency(ctx, from, size)
			if err != nil {
				t.Fatalf("ProveConsistency(%d, %d): %v", from, size, err)
			}
			if err := proof.VerifyConsistency(h, uint64(from), uint64(size), toBytes(p), roots[from], roots[size]); err != nil {
				t.Fatalf("consistency %d..%d: %v", from, size, err)
			}
		}
	}
}

func TestProofsIndependentLarge(t *testing.T) {
	ctx := context.Background()
	m := newMemSource()
	m.fill(t, 5000)
	l := ledger.NewLog(m, nil, nil)
	roots := independentRoots(t, m)
	h := rfc6962.DefaultHasher
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		size := 1 + rng.Int64N(5000)
		i := rng.Int64N(size)
		from := 1 + rng.Int64N(size)
		p, err := l.ProveInclusion(ctx, i, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(h, uint64(i), uint64(size), h.HashLeaf(m.entries[i].Data), toBytes(p), roots[size]); err != nil {
			t.Fatalf("inclusion %d in %d: %v", i, size, err)
		}
		c, err := l.ProveConsistency(ctx, from, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyConsistency(h, uint64(from), uint64(size), toBytes(c), roots[from], roots[size]); err != nil {
			t.Fatalf("consistency %d..%d: %v", from, size, err)
		}
		// A proof for another leaf or another old size must not verify.
		other := (i + 1) % size
		if other != i && proof.VerifyInclusion(h, uint64(i), uint64(size), h.HashLeaf(m.entries[other].Data), toBytes(p), roots[size]) == nil {
			t.Fatalf("inclusion proof of %d in %d verified for leaf %d", i, size, other)
		}
		if from > 1 && from < size && proof.VerifyConsistency(h, uint64(from), uint64(size), toBytes(c), roots[from-1], roots[size]) == nil {
			t.Fatalf("consistency proof %d..%d verified against root of %d", from, size, from-1)
		}
	}
}

func TestProofArguments(t *testing.T) {
	ctx := context.Background()
	m := newMemSource()
	m.fill(t, 10)
	l := ledger.NewLog(m, nil, nil)
	tests := []struct {
		name        string
		prove       func() error
		code, field string
	}{
		{"negative index", func() error { _, err := l.ProveInclusion(ctx, -1, 5); return err }, truce.EINVALID, "index"},
		{"index at size", func() error { _, err := l.ProveInclusion(ctx, 5, 5); return err }, truce.EINVALID, "index"},
		{"size beyond log", func() error { _, err := l.ProveInclusion(ctx, 5, 11); return err }, truce.ENOTFOUND, "size"},
		{"from after to", func() error { _, err := l.ProveConsistency(ctx, 6, 5); return err }, truce.EINVALID, "from"},
		{"negative from", func() error { _, err := l.ProveConsistency(ctx, -1, 5); return err }, truce.EINVALID, "from"},
		{"to beyond log", func() error { _, err := l.ProveConsistency(ctx, 1, 11); return err }, truce.ENOTFOUND, "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.prove()
			var e *truce.Error
			if truce.ErrorCode(err) != tt.code || !asError(err, &e) || e.Field != tt.field {
				t.Fatalf("err = %v, want %s on %s", err, tt.code, tt.field)
			}
		})
	}
}

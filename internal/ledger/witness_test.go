package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/ledger"
)

func TestWitness(t *testing.T) {
	ctx := context.Background()
	m, l, k := signedLog(t, 30)
	srv := serve(t, m, l, k)
	c, err := ledger.NewClient(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()

	// First run: pins the key, accepts the checkpoint.
	res, err := ledger.Witness(ctx, c, state)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pinned || res.Previous != nil || res.Current.Size != 30 {
		t.Fatalf("first run: %+v", res)
	}
	if pinned, _ := os.ReadFile(filepath.Join(state, "key")); strings.TrimSpace(string(pinned)) != k.VerifierKey {
		t.Fatalf("pinned key %q", pinned)
	}

	// The log grows: the new checkpoint is proved consistent with the old.
	for _, grow := range []int{1, 7, 100} {
		before := m.cps[len(m.cps)-1].Size
		m.fill(t, grow)
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := ledger.Witness(ctx, c, state)
		if err != nil {
			t.Fatal(err)
		}
		if res.Pinned || res.Previous == nil || res.Previous.Size != before || res.Current.Size != before+int64(grow) {
			t.Fatalf("after growing by %d: %+v", grow, res)
		}
	}
	// No change is fine.
	if _, err := ledger.Witness(ctx, c, state); err != nil {
		t.Fatal(err)
	}
	seen, _ := os.ReadDir(filepath.Join(state, "checkpoints"))
	if len(seen) != 4 {
		t.Fatalf("witness kept %d checkpoints, want 4 (sizes 30, 31, 38, 138)", len(seen))
	}
	latest, _ := os.ReadFile(filepath.Join(state, "checkpoint"))

	t.Run("rollback", func(t *testing.T) {
		saved := cloneMem(m)
		defer restoreMem(m, saved)
		// Roll entries and checkpoints back, then sign anew at the old size.
		m.rollback(35)
		m.cps = m.cps[:len(m.cps)-2]
		_, err := ledger.Witness(ctx, c, state)
		if err == nil || !strings.Contains(err.Error(), "rollback") || !strings.Contains(err.Error(), "size 31") || !strings.Contains(err.Error(), "size 138") {
			t.Fatalf("rolled-back server: %v", err)
		}
	})
	t.Run("fork", func(t *testing.T) {
		saved := cloneMem(m)
		defer restoreMem(m, saved)
		// Rewrite history, keep the size, sign it with the real key.
		m.rollback(100)
		m.records["report/50"] = testRecord{Title: "rewritten"}
		m.entries[49].Data, _ = ledger.Encode("report", "50", m.entries[49].At, m.records["report/50"])
		rehash(t, m)
		m.fill(t, 38)
		root, _ := ledger.NewLog(m, nil, nil).Root(ctx, 138)
		note, _ := ledger.SignCheckpoint(k.Signer, 138, root)
		m.cps = append(m.cps, ledger.Checkpoint{Size: 138, Root: root, Note: note})
		_, err := ledger.Witness(ctx, c, state)
		if err == nil || !strings.Contains(err.Error(), "fork") || !strings.Contains(err.Error(), "138") {
			t.Fatalf("forked server: %v", err)
		}
		// Growing the forked log does not hide it.
		m.fill(t, 5)
		root, _ = ledger.NewLog(m, nil, nil).Root(ctx, 143)
		note, _ = ledger.SignCheckpoint(k.Signer, 143, root)
		m.cps = append(m.cps, ledger.Checkpoint{Size: 143, Root: root, Note: note})
		_, err = ledger.Witness(ctx, c, state)
		if err == nil || !strings.Contains(err.Error(), "size 143 is not consistent with size 138") {
			t.Fatalf("forked, grown server: %v", err)
		}
	})
	t.Run("new key", func(t *testing.T) {
		other := newKey(t, "truce.test/log")
		srv2 := serve(t, m, ledger.NewLog(m, other.Signer, nil), other)
		c2, _ := ledger.NewClient(srv2.URL, nil)
		_, err := ledger.Witness(ctx, c2, state)
		if err == nil || !strings.Contains(err.Error(), "key changed") {
			t.Fatalf("server with a new key: %v", err)
		}
	})
	t.Run("checkpoint by another key", func(t *testing.T) {
		saved := cloneMem(m)
		defer restoreMem(m, saved)
		other := newKey(t, "truce.test/log")
		last := m.cps[len(m.cps)-1]
		note, _ := ledger.SignCheckpoint(other.Signer, last.Size, last.Root)
		m.cps = append(m.cps, ledger.Checkpoint{Size: last.Size, Root: last.Root, Note: note})
		if _, err := ledger.Witness(ctx, c, state); err == nil || !strings.Contains(err.Error(), "not signed by the log's key") {
			t.Fatalf("checkpoint signed by another key: %v", err)
		}
	})
	// Failed runs left the state as it was.
	if now, _ := os.ReadFile(filepath.Join(state, "checkpoint")); string(now) != string(latest) {
		t.Fatal("a failed witness run changed the state")
	}
	if _, err := ledger.Witness(ctx, c, state); err != nil {
		t.Fatalf("after the failures, the honest server: %v", err)
	}
}

func TestWitnessPinnedKey(t *testing.T) {
	ctx := context.Background()
	m, l, k := signedLog(t, 3)
	c, _ := ledger.NewClient(serve(t, m, l, k).URL, nil)
	state := t.TempDir()
	other := newKey(t, "truce.test/log")
	if err := ledger.PinKey(state, other.VerifierKey); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Witness(ctx, c, state); err == nil || !strings.Contains(err.Error(), "key changed") {
		t.Fatalf("witness with another key pinned: %v", err)
	}
	if err := ledger.PinKey(state, k.VerifierKey); err == nil {
		t.Fatal("PinKey replaced a pinned key")
	}
	state2 := t.TempDir()
	if err := ledger.PinKey(state2, k.VerifierKey); err != nil {
		t.Fatal(err)
	}
	if res, err := ledger.Witness(ctx, c, state2); err != nil || res.Pinned {
		t.Fatalf("witness with the right key pinned: %+v, %v", res, err)
	}
}

// cloneMem copies m's tables, so that a subtest can tamper and restore.
func cloneMem(m *memSource) *memSource {
	c := &memSource{entries: append([]ledger.Entry(nil), m.entries...), hashes: append(m.hashes[:0:0], m.hashes...),
		records: make(map[string]testRecord), cps: append([]ledger.Checkpoint(nil), m.cps...), now: m.now}
	for k, v := range m.records {
		c.records[k] = v
	}
	return c
}

// restoreMem puts back the tables cloneMem saved.
func restoreMem(m, saved *memSource) {
	m.entries, m.hashes, m.records, m.cps = saved.entries, saved.hashes, saved.records, saved.cps
}

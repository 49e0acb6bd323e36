package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// signedLog returns a log of n reports with a checkpoint at every tenth
// size and one at n.
func signedLog(t testing.TB, n int) (*memSource, *ledger.Log, ledger.Key) {
	t.Helper()
	ctx := context.Background()
	k := newKey(t, "truce.test/log")
	m := newMemSource()
	l := ledger.NewLog(m, k.Signer, nil)
	for range n / 10 {
		m.fill(t, 10)
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m.fill(t, n%10)
	if _, err := l.Checkpoint(ctx); err != nil && n > 0 {
		t.Fatal(err)
	}
	return m, l, k
}

func TestVerifyClean(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 10, 1023, 1024, 1025, 2500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m, _, k := signedLog(t, n)
			rep, err := ledger.Verify(context.Background(), m, k.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("clean log has problems:%s", problems(rep))
			}
			roots := independentRoots(t, m)
			if rep.Size != int64(n) || string(rep.Root[:]) != string(roots[n]) || !rep.RecordsChecked || !rep.HashesChecked {
				t.Fatalf("report %+v; want size %d root %x", rep, n, roots[n])
			}
			if rep.Checkpoints != len(m.cps) || rep.Signed != int64(n) {
				t.Fatalf("checked %d checkpoints, signed %d; want %d, %d", rep.Checkpoints, rep.Signed, len(m.cps), n)
			}
		})
	}
}

// want is one problem Verify must report.
type want struct {
	kind     string
	index    int64
	recordID string
}

func TestVerifyTamper(t *testing.T) {
	const n = 50
	tests := []struct {
		name   string
		tamper func(t *testing.T, m *memSource)
		want   []want
	}{
		{"record field changed", func(t *testing.T, m *memSource) {
			r := m.records["report/13"]
			r.Killed = 40
			m.records["report/13"] = r
		}, []want{{ledger.ProblemAltered, 12, "13"}}},
		{"record deleted", func(t *testing.T, m *memSource) {
			delete(m.records, "report/21")
		}, []want{{ledger.ProblemDeleted, 20, "21"}}},
		{"log entry deleted", func(t *testing.T, m *memSource) {
			m.entries = append(m.entries[:33:33], m.entries[34:]...)
		}, []want{{ledger.ProblemMissing, 33, ""}}},
		{"two leaves swapped", func(t *testing.T, m *memSource) {
			a, b := m.entries[5], m.entries[9]
			a.Index, b.Index = 9, 5
			m.entries[5], m.entries[9] = b, a
		}, []want{{ledger.ProblemHash, 5, "10"}, {ledger.ProblemHash, 9, "6"}, {ledger.ProblemBackdated, 6, "7"}, {ledger.ProblemInconsistent, 9, "6"}}},
		{"leaf data swapped", func(t *testing.T, m *memSource) {
			m.entries[5].Data, m.entries[9].Data = m.entries[9].Data, m.entries[5].Data
		}, []want{{ledger.ProblemMislabeled, 5, "6"}, {ledger.ProblemAltered, 5, "6"}, {ledger.ProblemMislabeled, 9, "10"}, {ledger.ProblemHash, 9, "10"}}},
		{"entry time changed", func(t *testing.T, m *memSource) {
			m.entries[40].At = m.entries[40].At.Add(-time.Hour)
		}, []want{{ledger.ProblemTimestamp, 40, "41"}}},
		{"back-dated insert", func(t *testing.T, m *memSource) {
			m.addAt(t, "report", "999", m.entries[0].At, testRecord{Title: "planted"})
		}, []want{{ledger.ProblemBackdated, n, "999"}}},
		{"leaf data rewritten with its hashes", func(t *testing.T, m *memSource) {
			// The attacker changes a record and re-logs it consistently:
			// only the signed checkpoints can tell.
			r := m.records["report/3"]
			r.Place = "RU-BEL"
			m.records["report/3"] = r
			data, _ := ledger.Encode("report", "3", m.entries[2].At, r)
			m.entries[2].Data = data
			rehash(t, m)
		}, []want{{ledger.ProblemInconsistent, 9, "10"}, {ledger.ProblemInconsistent, n - 1, "50"}}},
		{"stored hash changed", func(t *testing.T, m *memSource) {
			m.hashes[tlog.StoredHashIndex(1, 7)][0] ^= 1 // the node over leaves 14, 15
		}, []want{{ledger.ProblemHash, 15, "16"}}},
		{"checkpoint signed by another key", func(t *testing.T, m *memSource) {
			other := newKey(t, "truce.test/log")
			last := &m.cps[len(m.cps)-1]
			last.Note, _ = ledger.SignCheckpoint(other.Signer, last.Size, last.Root)
		}, []want{{ledger.ProblemForged, n - 1, "50"}}},
		{"checkpoint row's size changed", func(t *testing.T, m *memSource) {
			m.cps[2].Size = 25
		}, []want{{ledger.ProblemForged, 29, "30"}}},
		{"rolled back", func(t *testing.T, m *memSource) {
			m.rollback(42)
		}, []want{{ledger.ProblemRolledBack, 42, ""}}},
		{"rolled back with its checkpoints", func(t *testing.T, m *memSource) {
			// Left with older checkpoints only, the log verifies: catching
			// this is the witnesses' job (TestWitness).
			m.rollback(40)
			m.cps = m.cps[:len(m.cps)-2]
		}, nil},
		{"checkpoints deleted", func(t *testing.T, m *memSource) {
			m.cps = nil
		}, []want{{ledger.ProblemUnsigned, -1, ""}}},
	}
	for _, tt := range tests {
		for _, batch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/batch=%v", tt.name, batch), func(t *testing.T) {
				m, _, k := signedLog(t, n)
				tt.tamper(t, m)
				var src ledger.Source = m
				if batch {
					src = memBatch{m}
				}
				rep, err := ledger.Verify(context.Background(), src, k.Verifier)
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range tt.want {
					if !hasProblem(rep, w.kind, w.index, w.recordID) {
						t.Errorf("no %s at entry %d (%s); got:%s", w.kind, w.index, w.recordID, problems(rep))
					}
				}
				if len(tt.want) == 0 && !rep.OK() {
					t.Errorf("problems:%s", problems(rep))
				}
			})
		}
	}
}

// rehash recomputes every stored hash from the entries, as an attacker
// covering their tracks would.
func rehash(t *testing.T, m *memSource) {
	t.Helper()
	m.hashes = nil
	for i, e := range m.entries {
		hs, err := tlog.StoredHashes(int64(i), e.Data, tlog.HashReaderFunc(m.readHashes))
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
	}
}

// failingSource fails to read entries from index failAt on.
type failingSource struct {
	*memSource
	failAt int64
}

func (f failingSource) LogEntries(ctx context.Context, start, end int64) ([]ledger.Entry, error) {
	if end > f.failAt {
		return nil, errors.New("disk on fire")
	}
	return f.memSource.LogEntries(ctx, start, end)
}

func TestVerifySourceError(t *testing.T) {
	m, _, k := signedLog(t, 5000)
	_, err := ledger.Verify(context.Background(), failingSource{m, 3000}, k.Verifier)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "3072") {
		t.Fatalf("Verify of a failing source: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ledger.Verify(ctx, m, k.Verifier); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with a cancelled context: %v", err)
	}
}

package ledger_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// memSource is an in-memory ledger.Source: records in a map, entries and
// stored hashes in slices, as the store keeps them in tables. Tests tamper
// with its fields directly, as an attacker would with SQL.
type memSource struct {
	mu      sync.Mutex
	entries []ledger.Entry
	hashes  []tlog.Hash
	records map[string]testRecord // by kind/id
	cps     []ledger.Checkpoint
	now     func() time.Time
	// gen, if set, stands in for records: it rebuilds the record of a
	// report from its id, so that big benchmark logs need no map.
	gen func(id string) testRecord
}

// testRecord stands in for a domain record.
type testRecord struct {
	Title  string `json:"title"`
	Place  string `json:"place"`
	Killed int    `json:"killed"`
}

func newMemSource() *memSource {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	return &memSource{
		records: make(map[string]testRecord),
		now: func() time.Time {
			n++
			return t0.Add(time.Duration(n) * time.Second)
		},
	}
}

func recordKey(kind, id string) string { return kind + "/" + id }

// add stores a record and appends its leaf, as the store does in one
// transaction, and returns the entry's index.
func (m *memSource) add(tb testing.TB, kind, id string, rec testRecord) int64 {
	tb.Helper()
	return m.addAt(tb, kind, id, m.now(), rec)
}

func (m *memSource) addAt(tb testing.TB, kind, id string, at time.Time, rec testRecord) int64 {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	data, err := ledger.Encode(kind, id, at, rec)
	if err != nil {
		tb.Fatal(err)
	}
	n := int64(len(m.entries))
	hs, err := tlog.StoredHashes(n, data, tlog.HashReaderFunc(m.readHashes))
	if err != nil {
		tb.Fatal(err)
	}
	if m.gen == nil {
		m.records[recordKey(kind, id)] = rec
	}
	m.entries = append(m.entries, ledger.Entry{Index: n, Kind: kind, RecordID: id, At: at.UTC().Truncate(time.Microsecond), Data: data})
	m.hashes = append(m.hashes, hs...)
	return n
}

// fill adds n reports numbered from the current size.
func (m *memSource) fill(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		id := fmt.Sprint(len(m.entries) + 1)
		m.add(tb, ledger.KindReport, id, fillRecord(id))
	}
}

// fillRecord is the record fill logs for report id.
func fillRecord(id string) testRecord {
	return testRecord{Title: "shelling near the line, report " + id, Place: "UA-14", Killed: len(id) % 7}
}

func (m *memSource) readHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memSource) LogSize(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

func (m *memSource) LogEntries(_ context.Context, start, end int64) ([]ledger.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// By Index, not position, as a table query would: a deleted row
	// leaves a gap. Entries stay sorted by Index under every tampering the
	// tests do.
	i, _ := slices.BinarySearchFunc(m.entries, start, func(e ledger.Entry, x int64) int { return cmp.Compare(e.Index, x) })
	var out []ledger.Entry
	for ; i < len(m.entries) && m.entries[i].Index < end; i++ {
		out = append(out, m.entries[i])
	}
	return out, nil
}

func (m *memSource) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readHashes(indexes)
}

func (m *memSource) SaveCheckpoint(_ context.Context, size int64, root tlog.Hash, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cps = append(m.cps, ledger.Checkpoint{Size: size, Root: root, Note: slices.Clone(note), At: m.now()})
	return nil
}

func (m *memSource) Checkpoints(context.Context) ([]ledger.Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.cps), nil
}

func (m *memSource) LatestCheckpoint(context.Context) (ledger.Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.cps) == 0 {
		return ledger.Checkpoint{}, truce.Errorf(truce.ENOTFOUND, "no checkpoint")
	}
	return m.cps[len(m.cps)-1], nil
}

func (m *memSource) Reencode(_ context.Context, e ledger.Entry) ([]byte, error) {
	if m.gen != nil {
		return ledger.Encode(e.Kind, e.RecordID, e.At, m.gen(e.RecordID))
	}
	m.mu.Lock()
	rec, ok := m.records[recordKey(e.Kind, e.RecordID)]
	m.mu.Unlock()
	if !ok {
		return nil, truce.Errorf(truce.ENOTFOUND, "%s %s not found", e.Kind, e.RecordID)
	}
	return ledger.Encode(e.Kind, e.RecordID, e.At, rec)
}

// rollback truncates the log to size, entries and hashes, as deleting the
// newest rows would.
func (m *memSource) rollback(size int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = m.entries[:size]
	m.hashes = m.hashes[:tlog.StoredHashCount(size)]
}

var _ ledger.Source = (*memSource)(nil)

// memBatch is a memSource that also re-encodes in batches.
type memBatch struct{ *memSource }

func (m memBatch) ReencodeBatch(ctx context.Context, es []ledger.Entry) ([][]byte, error) {
	out := make([][]byte, len(es))
	for i, e := range es {
		data, err := m.Reencode(ctx, e)
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

var _ ledger.BatchReencoder = memBatch{}

package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// checkLog asserts that the log holds want leaves, that every leaf
// re-encodes from its record byte for byte, and that the tree hash the
// store's stored hashes give equals one computed independently from the
// leaves' data with transparency-dev/merkle. It returns the entries.
func checkLog(t *testing.T, db *store.DB, want int64) []ledger.Entry {
	t.Helper()
	ctx := context.Background()
	n, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("LogSize = %d, want %d", n, want)
	}
	entries, err := db.LogEntries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(entries)) != n {
		t.Fatalf("LogEntries(0, %d) returned %d entries", n, len(entries))
	}
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, e.Index)
		}
		var leaf struct {
			Kind, ID, At string
		}
		if err := json.Unmarshal(e.Data, &leaf); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if leaf.Kind != e.Kind || leaf.ID != e.RecordID || leaf.At != ledger.FormatTime(e.At) {
			t.Errorf("entry %d: columns (%s, %s, %s) disagree with its data %s", i, e.Kind, e.RecordID, ledger.FormatTime(e.At), e.Data)
		}
		again, err := db.Reencode(ctx, e)
		if err != nil {
			t.Fatalf("Reencode(entry %d %s %s): %v", i, e.Kind, e.RecordID, err)
		}
		if !bytes.Equal(again, e.Data) {
			t.Errorf("entry %d (%s %s) re-encodes differently:\nlogged %s\nnow    %s", i, e.Kind, e.RecordID, e.Data, again)
		}
		if err := cr.Append(rfc6962.DefaultHasher.HashLeaf(e.Data), nil); err != nil {
			t.Fatal(err)
		}
	}
	// The ranged re-read that log verify uses gives the same bytes.
	batch, err := db.ReencodeBatch(ctx, entries)
	if err != nil {
		t.Fatalf("ReencodeBatch: %v", err)
	}
	for i, e := range entries {
		if !bytes.Equal(batch[i], e.Data) {
			t.Errorf("entry %d (%s %s): ReencodeBatch gives\n%s\nlogged\n%s", i, e.Kind, e.RecordID, batch[i], e.Data)
		}
	}
	if n == 0 {
		return entries
	}
	root, err := cr.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tlog.TreeHash(n, db.HashReader(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:], root) {
		t.Fatalf("tree hash from stored hashes %x, independently %x", got[:], root)
	}
	return entries
}

func kinds(entries []ledger.Entry) []string {
	var ks []string
	for _, e := range entries {
		ks = append(ks, e.Kind)
	}
	return ks
}

func TestLogAndCheckpoints(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		checkLog(t, db, 0)
		if _, err := db.LatestCheckpoint(ctx); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Fatalf("LatestCheckpoint on an empty store: %v, want ENOTFOUND", err)
		}
		// 13 leaves: enough for stored hashes at several levels.
		for i := range 13 {
			p := truce.Party{Code: "P" + string(rune('A'+i)), Name: "Party"}
			if _, err := db.PutParty(ctx, p, "test"); err != nil {
				t.Fatal(err)
			}
		}
		checkLog(t, db, 13)

		ats := map[int64]time.Time{}
		for _, size := range []int64{5, 13, 1} {
			root, err := tlog.TreeHash(size, db.HashReader(ctx))
			if err != nil {
				t.Fatal(err)
			}
			at := clk.peek()
			ats[size] = at
			if err := db.SaveCheckpoint(ctx, size, root, []byte("note at "+at.String())); err != nil {
				t.Fatalf("SaveCheckpoint(%d): %v", size, err)
			}
		}
		// A second checkpoint of a saved size keeps the first.
		root13, _ := tlog.TreeHash(13, db.HashReader(ctx))
		if err := db.SaveCheckpoint(ctx, 13, root13, []byte("again")); err != nil {
			t.Fatal(err)
		}
		cs, err := db.Checkpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 || cs[0].Size != 1 || cs[1].Size != 5 || cs[2].Size != 13 {
			t.Fatalf("Checkpoints = %+v, want sizes 1, 5, 13", cs)
		}
		if cs[2].Root != root13 || !bytes.HasPrefix(cs[2].Note, []byte("note at ")) {
			t.Errorf("checkpoint 13 = %+v", cs[2])
		}
		latest, err := db.LatestCheckpoint(ctx)
		if err != nil || latest.Size != 13 {
			t.Fatalf("LatestCheckpoint = %+v, %v", latest, err)
		}
		if !reflect.DeepEqual(latest, cs[2]) || latest.At != ats[13] {
			t.Errorf("LatestCheckpoint = %+v, want %+v at %v", latest, cs[2], ats[13])
		}

		bad := []struct {
			name string
			size int64
			root tlog.Hash
			note []byte
		}{
			{"wrong root", 5, root13, []byte("n")},
			{"beyond the log", 14, root13, []byte("n")},
			{"negative", -1, root13, []byte("n")},
			{"no note", 13, root13, nil},
		}
		for _, c := range bad {
			if err := db.SaveCheckpoint(ctx, c.size, c.root, c.note); truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("SaveCheckpoint %s: %v, want EINVALID", c.name, err)
			}
		}
		if _, err := db.LogEntries(ctx, 3, 2); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("LogEntries(3, 2): %v, want EINVALID", err)
		}
		es, err := db.LogEntries(ctx, 10, 100)
		if err != nil || len(es) != 3 || es[0].Index != 10 {
			t.Errorf("LogEntries(10, 100) = %d entries, %v", len(es), err)
		}
		if _, err := db.ReadHashes(ctx, []int64{0, 1 << 40}); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("ReadHashes of a missing index: %v, want ENOTFOUND", err)
		}
		// Stored hash 0 is leaf 0's record hash.
		hs, err := db.ReadHashes(ctx, []int64{0})
		if err != nil {
			t.Fatal(err)
		}
		if want := tlog.RecordHash(es0(t, db).Data); hs[0] != want {
			t.Errorf("ReadHashes([0]) = %v, want %v", hs[0], want)
		}
	})
}

func es0(t *testing.T, db *store.DB) ledger.Entry {
	es, err := db.LogEntries(context.Background(), 0, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("LogEntries(0, 1): %v", err)
	}
	return es[0]
}

func TestRecordErrors(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	cases := []struct {
		kind, id, code string
	}{
		{"nonsense", "1", truce.EINVALID},
		{ledger.KindReport, "x", truce.EINVALID},
		{ledger.KindReport, "7", truce.ENOTFOUND},
		{ledger.KindParty, "UA", truce.EINVALID},
		{ledger.KindParty, "UA@1", truce.ENOTFOUND},
		{ledger.KindAgreementVersion, "a@b@0", truce.EINVALID},
		{ledger.KindAgreementVersion, "a@b@1", truce.ENOTFOUND},
		{store.KindReportBatch, "5-3", truce.EINVALID},
		{store.KindReportBatch, "3-5", truce.ENOTFOUND},
		{store.KindObservationBatch, "1-2", truce.ENOTFOUND},
		{ledger.KindClaim, "1", truce.ENOTFOUND},
		{ledger.KindFinding, "1", truce.ENOTFOUND},
		{ledger.KindAgreementStatus, "1", truce.ENOTFOUND},
	}
	for _, c := range cases {
		if _, err := db.Record(ctx, c.kind, c.id); truce.ErrorCode(err) != c.code {
			t.Errorf("Record(%s, %s): %v, want %s", c.kind, c.id, err, c.code)
		}
	}
}

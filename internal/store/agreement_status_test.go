package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// commitment is the commitment to name under salt as the README and
// truce.StatusChange define it, computed here apart from the store's code:
// hex SHA-256 of the salt's 32 bytes followed by the name.
func commitment(t *testing.T, salt, name string) string {
	t.Helper()
	b, err := hex.DecodeString(salt)
	if err != nil || len(b) != 32 {
		t.Fatalf("salt %q is not 32 bytes of hex", salt)
	}
	sum := sha256.Sum256(append(b, name...))
	return hex.EncodeToString(sum[:])
}

// statusLeaves returns the agreement status leaves of entries, with
// their records decoded as generic JSON objects (to see which keys they
// hold).
func statusLeaves(t *testing.T, entries []ledger.Entry) ([]ledger.Entry, []map[string]any) {
	t.Helper()
	var es []ledger.Entry
	var recs []map[string]any
	for _, e := range entries {
		if e.Kind != ledger.KindAgreementStatus {
			continue
		}
		var leaf struct{ Record map[string]any }
		if err := json.Unmarshal(e.Data, &leaf); err != nil {
			t.Fatalf("leaf %d: %v", e.Index, err)
		}
		es = append(es, e)
		recs = append(recs, leaf.Record)
	}
	return es, recs
}

// verifyLog signs a checkpoint and runs what `truce log verify --db` runs:
// every leaf re-encoded from its rows, the tree against the checkpoint.
func verifyLog(t *testing.T, db *store.DB, key ledger.Key) *ledger.VerifyReport {
	t.Helper()
	ctx := context.Background()
	if _, err := ledger.NewLog(db, key.Signer, nil).Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(ctx, db, key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func putParties(t *testing.T, db *store.DB) {
	t.Helper()
	for _, p := range testParties() {
		if _, err := db.PutParty(context.Background(), p, "admin"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatusChangeCommitsToName: a status change's log leaf, which the
// public reads, holds a commitment to the admin's name and not the name;
// the store keeps the name and the salt, the commitment is SHA-256 of the
// salt and the name, each change has its own salt, and the log verifies.
func TestStatusChangeCommitsToName(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		putParties(t, db)
		a := fullAgreement()
		if _, _, err := db.PutAgreement(ctx, a, "admin-alice"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []truce.StatusChange{
			{AgreementID: a.ID, Status: truce.StatusInForce, Reason: "signed", By: "admin-bob"},
			{AgreementID: a.ID, Status: truce.StatusCollapsed, Reason: "strikes resumed", By: "admin-bob",
				ByCommitment: "ignored", BySalt: "ignored"},
		} {
			if err := db.SetAgreementStatus(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		hist, err := db.StatusHistory(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantBy := []string{"admin-alice", "admin-bob", "admin-bob"}
		wantStatus := []truce.AgreementStatus{truce.StatusProposed, truce.StatusInForce, truce.StatusCollapsed}
		if len(hist) != 3 {
			t.Fatalf("StatusHistory: %d changes, want 3: %+v", len(hist), hist)
		}
		salts := map[string]bool{}
		for i, c := range hist {
			if c.By != wantBy[i] || c.Status != wantStatus[i] {
				t.Errorf("change %d = %+v, want %s by %s", i, c, wantStatus[i], wantBy[i])
			}
			if c.ByCommitment != commitment(t, c.BySalt, c.By) {
				t.Errorf("change %d: commitment %s is not SHA-256 of its salt and name", i, c.ByCommitment)
			}
			salts[c.BySalt] = true
		}
		if len(salts) != 3 {
			t.Errorf("%d distinct salts for 3 changes: the same admin's changes must not share a commitment", len(salts))
		}
		if hist[1].ByCommitment == hist[2].ByCommitment {
			t.Errorf("two changes by the same admin have the same commitment %s", hist[1].ByCommitment)
		}
		if commitment(t, hist[0].BySalt, "admin-bob") == hist[0].ByCommitment {
			t.Errorf("alice's commitment matches bob's name")
		}

		// Leaves: 4 parties, v1 + status, v2 + status, v3 + status.
		entries := checkLog(t, db, 4+6)
		es, recs := statusLeaves(t, entries)
		if len(es) != 3 {
			t.Fatalf("%d status leaves, want 3", len(es))
		}
		for i, e := range es {
			if bytes.Contains(e.Data, []byte("admin-")) {
				t.Errorf("status leaf %d names the admin: %s", e.Index, e.Data)
			}
			if _, ok := recs[i]["by"]; ok {
				t.Errorf("status leaf %d has by: %s", e.Index, e.Data)
			}
			if _, ok := recs[i]["by_salt"]; ok {
				t.Errorf("status leaf %d has the salt: %s", e.Index, e.Data)
			}
			if recs[i]["by_commitment"] != hist[i].ByCommitment || recs[i]["status"] != string(wantStatus[i]) || recs[i]["agreement_id"] != a.ID {
				t.Errorf("status leaf %d = %s, want %s of %s with commitment %s", e.Index, e.Data, wantStatus[i], a.ID, hist[i].ByCommitment)
			}
			id, err := strconv.ParseInt(e.RecordID, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.StatusChange(ctx, id)
			if err != nil || got != hist[i] {
				t.Errorf("StatusChange(%d) = %+v, %v; want %+v", id, got, err, hist[i])
			}
		}
		if _, err := db.StatusChange(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("StatusChange(99): %v, want ENOTFOUND", err)
		}
		key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "truce.test/log")
		if err != nil {
			t.Fatal(err)
		}
		if rep := verifyLog(t, db, key); !rep.OK() || !rep.RecordsChecked {
			t.Fatalf("log verify: %+v", rep)
		}
	})
}

// TestStatusChangeOldLeaf: a database from before migration 0013 holds a
// status leaf that names its admin in the clear. Migrated, it still
// verifies (the old leaf is re-encoded with the name, as written), next to
// new leaves with commitments; and a name changed in the database since
// is caught by log verify through the commitment.
func TestStatusChangeOldLeaf(t *testing.T) {
	for _, dialect := range dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			var dsn, driver string
			switch dialect {
			case store.SQLite:
				dsn, driver = filepath.Join(t.TempDir(), "truce.db"), "sqlite"
			case store.Postgres:
				dsn, driver = freshSchema(t), "pgx"
			}
			clk := newClock()
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn, store.Options{Now: clk.Now})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			db := open()
			putParties(t, db)
			a := fullAgreement()
			// By no one: a leaf the same before and after 0013.
			if _, _, err := db.PutAgreement(ctx, a, ""); err != nil {
				t.Fatal(err)
			}
			old := truce.StatusChange{AgreementID: a.ID, Status: truce.StatusInForce, At: time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC), Reason: "signed", By: "admin-old"}
			if err := db.AddPlainStatusChange(ctx, old); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			// Back to the schema before 0013, then migrated again.
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			for _, q := range []string{
				"ALTER TABLE status_changes DROP COLUMN by_salt",
				"DELETE FROM schema_migrations WHERE version = '0013_status_commitment'",
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db = open()
			if err := db.SetAgreementStatus(ctx, truce.StatusChange{AgreementID: a.ID, Status: truce.StatusCollapsed, By: "admin-new"}); err != nil {
				t.Fatal(err)
			}

			hist, err := db.StatusHistory(ctx, a.ID)
			if err != nil || len(hist) != 3 {
				t.Fatalf("StatusHistory = %+v, %v; want 3 changes", hist, err)
			}
			if hist[0].By != "" || hist[0].BySalt != "" || hist[0].ByCommitment != "" {
				t.Errorf("change by no one = %+v", hist[0])
			}
			if hist[1] != old {
				t.Errorf("old change = %+v, want %+v (named, without salt or commitment)", hist[1], old)
			}
			if hist[2].By != "admin-new" || hist[2].ByCommitment != commitment(t, hist[2].BySalt, "admin-new") {
				t.Errorf("new change = %+v, want by admin-new with its commitment", hist[2])
			}

			entries := checkLog(t, db, 4+2+1+2) // parties, v1 + status, the old status, v2 + status
			es, recs := statusLeaves(t, entries)
			if len(es) != 3 {
				t.Fatalf("%d status leaves, want 3", len(es))
			}
			if _, ok := recs[0]["by"]; ok || recs[0]["by_commitment"] != nil {
				t.Errorf("leaf by no one: %s", es[0].Data)
			}
			if recs[1]["by"] != "admin-old" || recs[1]["by_commitment"] != nil {
				t.Errorf("old leaf: %s, want it as written, with by admin-old", es[1].Data)
			}
			if bytes.Contains(es[2].Data, []byte("admin-new")) || recs[2]["by_commitment"] != hist[2].ByCommitment {
				t.Errorf("new leaf: %s, want the commitment %s and no name", es[2].Data, hist[2].ByCommitment)
			}
			key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "truce.test/log")
			if err != nil {
				t.Fatal(err)
			}
			if rep := verifyLog(t, db, key); !rep.OK() || !rep.RecordsChecked || rep.Size != int64(len(entries)) {
				t.Fatalf("log verify: %+v", rep)
			}

			// Another name put in the row: the leaf no longer re-encodes.
			if _, err := raw.Exec("UPDATE status_changes SET by_user = 'admin-mallory' WHERE by_user = 'admin-new'"); err != nil {
				t.Fatal(err)
			}
			again, err := db.Reencode(ctx, es[2])
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(again, es[2].Data) {
				t.Fatalf("a changed name re-encodes the same: %s", again)
			}
			if rep := verifyLog(t, db, key); rep.OK() {
				t.Fatalf("log verify passed with a changed name: %+v", rep)
			}
		})
	}
}

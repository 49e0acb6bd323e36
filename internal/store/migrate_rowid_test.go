package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestMigrationRowidKeys: migration 0010 rebuilds reports and observations
// on SQLite with the id as rowid. Run again over a store holding reports
// (with perpetrators, which refer to them) and observations, it keeps
// every row and column, leaves no foreign key dangling, and the log still
// verifies against the rebuilt tables.
func TestMigrationRowidKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "truce.test/log")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := ucdpReports(t)[:500]
	if added, _, err := db.ImportReports(ctx, src); err != nil || added != len(src) {
		t.Fatalf("import: %d added, %v", added, err)
	}
	if added, _, err := db.ImportObservations(ctx, testObservations()); err != nil || added != 2 {
		t.Fatalf("import observations: %d added, %v", added, err)
	}
	reports, err := db.Reports(ctx, store.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	obs, err := db.Observations(ctx, store.ObservationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var perps int
	if err := raw.QueryRow("SELECT COUNT(*) FROM report_perpetrators").Scan(&perps); err != nil || perps == 0 {
		t.Fatalf("%d perpetrator rows (%v): the test needs reports that are referred to", perps, err)
	}
	// As before 0010, but for the tables it rebuilds: its own table goes.
	if _, err := raw.Exec("DELETE FROM schema_migrations WHERE version = '0010_rowid_keys'; DROP TABLE deferred_indexes"); err != nil {
		t.Fatal(err)
	}

	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatalf("migrating again: %v", err)
	}
	defer db.Close()
	again, err := db.Reports(ctx, store.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(src) || !reflect.DeepEqual(again, reports) {
		t.Errorf("reports changed by the migration: %d before, %d after", len(reports), len(again))
	}
	obsAgain, err := db.Observations(ctx, store.ObservationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(obsAgain, obs) {
		t.Errorf("observations changed by the migration:\n%+v\n%+v", obs, obsAgain)
	}
	for _, table := range []string{"reports", "observations"} {
		// A rowid key has no index of its own (origin "pk").
		var pk int
		if err := raw.QueryRow("SELECT COUNT(*) FROM pragma_index_list(?) WHERE origin = 'pk'", table).Scan(&pk); err != nil {
			t.Fatal(err)
		}
		if pk != 0 {
			t.Errorf("%s: its primary key is an index apart from the rowid", table)
		}
	}
	var dangling int
	if err := raw.QueryRow("SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&dangling); err != nil || dangling != 0 {
		t.Errorf("foreign key check: %d rows, %v", dangling, err)
	}
	var left int
	if err := raw.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%0010%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d tables or indexes of the migration left (%v)", left, err)
	}
	lg := ledger.NewLog(db, key.Signer, nil)
	if _, err := lg.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := ledger.Verify(ctx, db, key.Verifier)
	if err != nil || !rep.OK() || !rep.RecordsChecked {
		t.Fatalf("log verify: %+v %v", rep, err)
	}
}

package store_test

import (
	"context"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

// TestImportCopy: on PostgreSQL a bulk import's rows, duplicates
// included, go through the temporary table it COPYs to (SQLite has none);
// the duplicates are skipped all the same, and a re-import adds nothing,
// not even a leaf.
func TestImportCopy(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		rs := batch(300, "import:test", "a")
		rs = append(rs, rs[7]) // a duplicate inside the batch
		rs[len(rs)-1].Description = "the later copy"
		obs := append(testObservations(), testObservations()[0])
		staged, stagedObs, err := db.ImportStaged(ctx, rs, obs)
		if err != nil {
			t.Fatal(err)
		}
		wantStaged, wantObs := 301, 3
		if db.Dialect() == store.SQLite {
			wantStaged, wantObs = -1, -1
		}
		if staged != wantStaged || stagedObs != wantObs {
			t.Fatalf("staged %d reports, %d observations; want %d, %d", staged, stagedObs, wantStaged, wantObs)
		}
		if n, _ := db.CountReports(ctx); n != 300 {
			t.Fatalf("CountReports = %d, want 300", n)
		}
		if got, err := db.Report(ctx, 8); err != nil || got.Description != rs[7].Description {
			t.Fatalf("Report(8) = %q, %v; want the earlier copy %q", got.Description, err, rs[7].Description)
		}
		got, err := db.Observations(ctx, store.ObservationFilter{})
		if err != nil || len(got) != 2 || got[0].ID != 1 || got[1].ID != 2 {
			t.Fatalf("Observations = %+v, %v; want ids 1, 2", got, err)
		}
		entries := checkLog(t, db, 2)
		if entries[0].Kind != store.KindReportBatch || entries[0].RecordID != "1-300" ||
			entries[1].Kind != store.KindObservationBatch || entries[1].RecordID != "1-2" {
			t.Fatalf("leaves %s %s, %s %s", entries[0].Kind, entries[0].RecordID, entries[1].Kind, entries[1].RecordID)
		}

		added, present, err := db.ImportReports(ctx, rs)
		if err != nil || added != 0 || present != 301 {
			t.Fatalf("ImportReports again = %d, %d, %v; want 0, 301", added, present, err)
		}
		added, present, err = db.ImportObservations(ctx, obs)
		if err != nil || added != 0 || present != 3 {
			t.Fatalf("ImportObservations again = %d, %d, %v; want 0, 3", added, present, err)
		}
		if n, _ := db.CountReports(ctx); n != 300 {
			t.Fatalf("CountReports after re-import = %d, want 300", n)
		}
		checkLog(t, db, 2)
	})
}

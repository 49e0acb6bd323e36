package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

// TestCheckpointAside: reports imported while the checkpoints are left to
// another connection are in the database file itself (not only in its
// WAL) once stop returns, and stop may be called twice.
func TestCheckpointAside(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stop := db.CheckpointAside(ctx)
	src := ucdpReports(t)[:300]
	for i := 0; i < len(src); i += 100 {
		if added, _, err := db.ImportReports(ctx, src[i:i+100]); err != nil || added != 100 {
			t.Fatalf("import: %d added, %v", added, err)
		}
	}
	stop()
	stop()

	// The main file alone, copied without its WAL, holds every row.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(t.TempDir(), "alone.db")
	if err := os.WriteFile(alone, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := sql.Open("sqlite", alone)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow("SELECT COUNT(*) FROM reports").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(src) {
		t.Errorf("the database file without its WAL holds %d reports, want %d", n, len(src))
	}

	// Afterwards the store writes and reads as before.
	if added, present, err := db.ImportReports(ctx, src[:10]); err != nil || added != 0 || present != 10 {
		t.Errorf("import again = %d added, %d present, %v; want 0, 10", added, present, err)
	}
}

package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
)

// loadUCDP imports the embedded UCDP GED extract through the same pipeline
// as `truce import`, so that the demo's dataset reports are exactly what a
// user importing the file would get. The pipeline reads files, so the
// extract is written out to a temporary directory under its own name,
// which is the name its messages give.
func loadUCDP(ctx context.Context, db *store.DB, log *slog.Logger, sum *Summary) error {
	dir, err := os.MkdirTemp("", "truce-demo-")
	if err != nil {
		return fmt.Errorf("demo UCDP extract: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, UCDPName)
	if err := writeUCDP(path); err != nil {
		return err
	}
	var rejects bytes.Buffer
	is, err := ingest.Run(ctx, db, ingest.Options{Format: ingest.FormatUCDP, Errors: &rejects, Logger: log}, path)
	sum.DatasetAdded, sum.DatasetPresent, sum.DatasetRejected = is.Imported, is.Present, is.Rejected
	if rejects.Len() > 0 {
		// The extract is tested to import cleanly; a rejected row means the
		// importer changed, which is worth saying but not worth failing
		// the demo for.
		log.Warn("demo UCDP extract: rows rejected", "rejected", is.Rejected,
			"first", strings.SplitN(rejects.String(), "\n", 2)[0])
	}
	if err != nil {
		return fmt.Errorf("demo UCDP extract: %w", err)
	}
	return nil
}

func writeUCDP(path string) error {
	rc, err := UCDP()
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("demo UCDP extract: %w", err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("demo UCDP extract: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo UCDP extract: %w", err)
	}
	return nil
}

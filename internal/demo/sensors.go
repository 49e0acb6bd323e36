package demo

import (
	"bytes"
	"compress/gzip"
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

// The sensor extracts: real open data chosen to meet the demo's incidents
// in time and place (see data/ATTRIBUTION.md).
const (
	// FIRMSFile: NASA FIRMS detections over Donetsk and Luhansk oblasts
	// in January and February 2022, the last weeks of UCDP's events.
	FIRMSFile = "data/firms-donbas-2022-01-02.csv.gz"
	// AlertsFile: Ukraine's air-raid alerts (volunteer record) from
	// 25 February to 31 March 2022.
	AlertsFile = "data/alerts-volunteer-2022-03.csv.gz"
)

// SensorFiles returns the sensor extracts in load order.
func SensorFiles() []string { return []string{FIRMSFile, AlertsFile} }

var sensorFormats = map[string]string{FIRMSFile: ingest.FormatFIRMS, AlertsFile: ingest.FormatAlerts}

// loadSensors imports the sensor extracts through the same pipeline as
// `truce import`, as loadUCDP does; the store skips observations already
// present by (source, external id), so a second load adds nothing. They
// are loaded before any incident is grouped (the server's jobs start
// after Load), so that the first grouping corroborates with them.
func loadSensors(ctx context.Context, db *store.DB, log *slog.Logger, sum *Summary) error {
	dir, err := os.MkdirTemp("", "truce-demo-")
	if err != nil {
		return fmt.Errorf("demo sensors: %w", err)
	}
	defer os.RemoveAll(dir)
	for _, name := range SensorFiles() {
		path := filepath.Join(dir, strings.TrimSuffix(filepath.Base(name), ".gz"))
		if err := writeGunzipped(name, path); err != nil {
			return err
		}
		var rejects bytes.Buffer
		is, err := ingest.Run(ctx, db, ingest.Options{Format: sensorFormats[name], Errors: &rejects, Logger: log}, path)
		sum.SensorsAdded += is.Imported
		sum.SensorsPresent += is.Present
		sum.SensorsRejected += is.Rejected
		if rejects.Len() > 0 {
			// Tested to import cleanly, as the UCDP extract is.
			log.Warn("demo sensor extract: rows rejected", "file", name, "rejected", is.Rejected,
				"first", strings.SplitN(rejects.String(), "\n", 2)[0])
		}
		if err != nil {
			return fmt.Errorf("demo %s: %w", name, err)
		}
	}
	return nil
}

// writeGunzipped writes the embedded gzip file name, uncompressed, to path.
func writeGunzipped(name, path string) error {
	b, err := Open(name)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("demo %s: %w", name, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("demo %s: %w", name, err)
	}
	if _, err := io.Copy(f, zr); err != nil {
		f.Close()
		return fmt.Errorf("demo %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo %s: %w", name, err)
	}
	return nil
}

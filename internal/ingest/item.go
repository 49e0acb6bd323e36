package ingest

import "github.com/truce-monitor/truce"

// Item is one good row of an input file: at most one of Report,
// Observation or Agreement is set; none means a row the format reads but
// does not import (a PA-X row that is not a ceasefire), counted as skipped.
// Line is where the row starts in its file (1-based).
type Item struct {
	Line        int
	Report      *truce.Report
	Observation *truce.Observation
	Agreement   *truce.Agreement
}

// Reader streams the rows of one file.
type Reader interface {
	// Next returns the next item. A row that cannot be imported is returned
	// as a *RowError and the reader moves on; io.EOF ends the file; any
	// other error (unreadable file, missing column) ends it too and is
	// reported as the file's failure.
	Next() (Item, error)
	// Header returns the column names of the file (for GeoJSON, the one
	// column "feature"), the header of the rejects file.
	Header() []string
}

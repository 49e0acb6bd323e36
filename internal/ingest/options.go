package ingest

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/truce-monitor/truce"
)

// Sink is where imported items go: the store's import methods. Each call is
// one transaction. ImportReports and ImportObservations skip items whose
// key (submitted_by and external_id for reports, source and external_id for
// observations) is already stored, counting them as present, and return an
// EINVALID *truce.Error if an item is refused, in which case nothing of the
// batch is written. PutAgreement returns changed=false when the agreement is
// stored unchanged.
type Sink interface {
	ImportReports(ctx context.Context, rs []truce.Report) (added, present int, err error)
	ImportObservations(ctx context.Context, obs []truce.Observation) (added, present int, err error)
	PutAgreement(ctx context.Context, a truce.Agreement, by string) (version int, changed bool, err error)
}

// DefaultBatchSize is how many rows go into one transaction: large enough
// that the commit's fsync is paid rarely, small enough that a killed import
// loses little and memory stays small.
const DefaultBatchSize = 5000

// Options control a run.
type Options struct {
	// Format forces a format by name (see Formats); "" detects it from each
	// file's header.
	Format string
	// Mapping reads a generic CSV (format "csv"); setting it without Format
	// means "csv".
	Mapping *Mapping
	// BatchSize is the number of rows per transaction (DefaultBatchSize if 0).
	BatchSize int
	// MaxErrors stops the run once this many rows have been rejected; rows
	// read before are imported. 0 means no limit.
	MaxErrors int
	// Rejects, if set, is a CSV file that receives every rejected row as read
	// plus a reject_reason column, so it can be fixed and imported again.
	Rejects string
	// Errors receives one line per rejected row ("file:line: column: reason").
	Errors io.Writer
	// Progress, if set, receives a progress line (rows, rows/s, ETA) several
	// times a second, redrawn with a carriage return: give it a terminal.
	Progress io.Writer
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Logger logs each file's outcome (discarded if nil).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Errors == nil {
		o.Errors = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// FileSummary counts what happened to one file's rows. Read = Imported +
// Present + Rejected + Skipped once the file is done.
type FileSummary struct {
	File     string
	Format   string
	Encoding string
	Notes    []string // what the reader found worth saying: date order, layout...
	Read     int      // rows read, header excluded
	Imported int      // rows added to the store
	Present  int      // rows whose key was already stored (or repeated in the file)
	Rejected int      // rows refused, each reported with file, line and column
	Skipped  int      // rows the format does not import (PA-X rows that are not ceasefires)
}

// Summary is the outcome of a run: per file and in total.
type Summary struct {
	Files    []FileSummary
	Read     int
	Imported int
	Present  int
	Rejected int
	Skipped  int
	// Stopped is set when MaxErrors ended the run early.
	Stopped bool
	Elapsed time.Duration
}

func (s *Summary) add(f FileSummary) {
	s.Files = append(s.Files, f)
	s.Read += f.Read
	s.Imported += f.Imported
	s.Present += f.Present
	s.Rejected += f.Rejected
	s.Skipped += f.Skipped
}

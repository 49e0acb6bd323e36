package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/truce-monitor/truce"
)

// ErrStopped is returned by Run (with the summary so far) when MaxErrors
// rows have been rejected.
var ErrStopped = errors.New("stopped: too many rejected rows")

// Run imports files into sink. Every file is opened and its format worked
// out before anything is imported, so a file that is not CSV, or an
// unknown header, ends the run (a *FileError) with nothing written.
//
// Rows are read by one goroutine and written by another in batches of
// opt.BatchSize, each batch one transaction, so parsing overlaps the
// store's work. A rejected row is reported to opt.Errors and written to
// opt.Rejects; the run goes on unless opt.MaxErrors is reached
// (ErrStopped). Any other error from the sink ends the run.
func Run(ctx context.Context, sink Sink, opt Options, files ...string) (Summary, error) {
	opt.defaults()
	start := opt.Now()
	var sum Summary
	type opened struct {
		r      Reader
		in     *input
		format string
	}
	// Every file is opened and checked first; all but the first are closed
	// again and reopened in turn, so that many files do not hold many
	// buffers at once.
	var all []opened
	estimate := map[string]int{} // rows per table, from the files' sizes
	defer func() {
		for _, o := range all {
			if o.in != nil {
				o.in.Close()
			}
		}
	}()
	for i, name := range files {
		r, in, format, err := open(name, &opt)
		if err != nil {
			return sum, err
		}
		if table, per := bulkTable(format); table != "" {
			estimate[table] += int(in.size / per)
		}
		if i > 0 {
			in.Close()
			r, in = nil, nil
		}
		all = append(all, opened{r, in, format})
	}
	run := &runState{sink: sink, opt: &opt}
	if opt.Rejects != "" {
		rw, err := newRejectsWriter(opt.Rejects)
		if err != nil {
			return sum, fmt.Errorf("rejects file: %w", err)
		}
		run.rejects = rw
	}
	restore, err := deferIndexes(ctx, sink, estimate)
	if err != nil {
		if run.rejects != nil {
			run.rejects.Close()
		}
		return sum, err
	}
	var prog *progress
	if opt.Progress != nil {
		prog = startProgress(opt.Progress, opt.Now)
	}
	for i := range all {
		o := &all[i]
		if o.in == nil {
			if o.r, o.in, o.format, err = open(files[i], &opt); err != nil {
				break // the file changed since it was checked
			}
		}
		fs := FileSummary{File: o.in.name, Format: o.format, Encoding: o.in.encoding}
		if prog != nil {
			prog.file(o.in, &run.read)
		}
		err = run.file(ctx, o.r, &fs)
		if n, ok := o.r.(interface{ Notes() []string }); ok {
			fs.Notes = n.Notes()
		}
		if fs.Encoding == encodingBadUTF8 {
			fs.Notes = append(fs.Notes, "some bytes are not UTF-8: their rows are rejected")
		}
		sum.add(fs)
		opt.Logger.Debug("import", "file", fs.File, "format", fs.Format, "read", fs.Read, "imported", fs.Imported,
			"present", fs.Present, "rejected", fs.Rejected, "skipped", fs.Skipped)
		o.in.Close()
		o.in = nil
		if err != nil {
			break
		}
	}
	if prog != nil {
		prog.stop()
		if restore.deferred {
			// Seconds per million rows, with nothing else to show.
			fmt.Fprint(opt.Progress, "\r\033[Kbuilding the indexes put off during the import...")
		}
	}
	// Even when the run failed or was interrupted: what was imported is
	// kept, and must be found through its indexes.
	if rerr := restore.run(context.WithoutCancel(ctx)); rerr != nil && err == nil {
		err = rerr
	}
	if prog != nil && restore.deferred {
		fmt.Fprint(opt.Progress, "\r\033[K")
	}
	if run.rejects != nil {
		if cerr := run.rejects.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("rejects file: %w", cerr)
		}
	}
	sum.Stopped = errors.Is(err, ErrStopped)
	sum.Elapsed = opt.Now().Sub(start)
	return sum, err
}

// indexDeferrer is a Sink that can put off index maintenance during a
// large import (the store on SQLite: see store.DB.DeferIndexes).
type indexDeferrer interface {
	DeferIndexes(ctx context.Context, table string, rows int) (restore func(context.Context) error, deferred bool, err error)
}

// bulkTable names the table a format's rows go to, with a low guess of
// its bytes per row, so that the rows a file holds are not underestimated.
func bulkTable(format string) (table string, bytesPerRow int64) {
	switch format {
	case FormatACLED, FormatUCDP, FormatGeoJSON, FormatCSV:
		return "reports", 256
	case FormatFIRMS, FormatAlerts:
		return "observations", 64
	}
	return "", 0
}

// deferred are the indexes a run put off: run builds them.
type deferred struct {
	restores []func(context.Context) error
	deferred bool // whether the store did put any off
}

func (d *deferred) run(ctx context.Context) error {
	var first error
	for _, r := range d.restores {
		if err := r(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// deferIndexes asks sink to defer the indexes of each table a large run
// fills.
func deferIndexes(ctx context.Context, sink Sink, estimate map[string]int) (*deferred, error) {
	d := &deferred{}
	s, ok := sink.(indexDeferrer)
	if !ok {
		return d, nil
	}
	for _, table := range []string{"reports", "observations"} {
		if estimate[table] == 0 {
			continue
		}
		r, did, err := s.DeferIndexes(ctx, table, estimate[table])
		if err != nil {
			return nil, errors.Join(err, d.run(context.WithoutCancel(ctx)))
		}
		d.restores = append(d.restores, r)
		d.deferred = d.deferred || did
	}
	return d, nil
}

// runState is shared by the files of one run.
type runState struct {
	sink     Sink
	opt      *Options
	rejects  *rejectsWriter
	mu       sync.Mutex   // guards rejects and opt.Errors
	rejected atomic.Int64 // over the whole run, for MaxErrors
	read     atomic.Int64 // rows of the current file, for progress
	pending  []*RowError  // the current file's rejects, written when it is done
}

// batch is one transaction's worth of items of one kind.
type batch struct {
	reports    []truce.Report
	obs        []truce.Observation
	agreements []truce.Agreement
	lines      []int
	// imp writes the reports, prepared ahead (see reportPreparer); nil
	// if they were not, or preparing found a bad row.
	imp func(context.Context) (added, present int, err error)
}

func (b *batch) len() int { return len(b.lines) }

func (b *batch) reset() {
	b.reports, b.obs, b.agreements = b.reports[:0], b.obs[:0], b.agreements[:0]
	b.lines = b.lines[:0]
	b.imp = nil
}

// reportPreparer is a Sink that splits ImportReports in two: the checks
// and encoding that need no lock, then the write (the store: see
// store.DB.PrepareReports). The run prepares one batch while the writer
// writes the one before, so that the store's single writer spends its
// turn on the database alone.
type reportPreparer interface {
	PrepareReports(rs []truce.Report) (imp func(context.Context) (added, present int, err error), err error)
}

// fileCounts are a file's counters, written by both goroutines.
type fileCounts struct{ imported, present, rejected, skipped atomic.Int64 }

// file imports one file.
func (s *runState) file(ctx context.Context, r Reader, fs *FileSummary) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.read.Store(0)
	var counts fileCounts
	// Batches go from the reader (full) through the preparer (ready) to
	// the writer, and back (free).
	full := make(chan *batch, 1)
	ready := make(chan *batch, 1)
	free := make(chan *batch, 4)
	for range cap(free) {
		free <- &batch{}
	}
	by := "import:" + fs.Format

	var wg sync.WaitGroup
	prep, _ := s.sink.(reportPreparer)
	wg.Go(func() {
		defer close(ready)
		for b := range full {
			if prep != nil && len(b.reports) > 0 && ctx.Err() == nil {
				// A bad row leaves imp nil: the writer's ImportReports
				// finds it again, and retries row by row.
				b.imp, _ = prep.PrepareReports(b.reports)
			}
			ready <- b
		}
	})
	var writeErr error
	wg.Go(func() {
		for b := range ready {
			if writeErr == nil {
				if err := s.write(ctx, b, by, fs.File, &counts); err != nil {
					writeErr = err
					cancel(err)
				}
			}
			b.reset()
			free <- b
		}
	})

	readErr := s.produce(ctx, r, fs, by, full, free, &counts)
	close(full)
	wg.Wait()
	if s.rejects != nil && len(s.pending) > 0 {
		if err := s.rejects.writeFile(fs.File, r.Header(), fs.Format != FormatGeoJSON, s.pending); err != nil && readErr == nil && writeErr == nil {
			readErr = fmt.Errorf("rejects file: %w", err)
		}
	}
	s.pending = s.pending[:0]

	fs.Read = int(s.read.Load())
	fs.Imported = int(counts.imported.Load())
	fs.Present = int(counts.present.Load())
	fs.Rejected = int(counts.rejected.Load())
	fs.Skipped = int(counts.skipped.Load())
	switch {
	case writeErr != nil:
		return writeErr
	case readErr != nil:
		return readErr
	}
	return ctx.Err()
}

// produce reads rows and hands full batches to the writer. Reports and
// observations fill separate batches; agreements are few and go in batches
// of their own kind too.
func (s *runState) produce(ctx context.Context, r Reader, fs *FileSummary, by string, full, free chan *batch, counts *fileCounts) error {
	var reps, obs, agrs *batch
	take := func() *batch {
		select {
		case b := <-free:
			return b
		case <-ctx.Done():
			return nil
		}
	}
	send := func(b **batch) bool {
		if *b == nil || (*b).len() == 0 {
			return true
		}
		select {
		case full <- *b:
			*b = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	flush := func() {
		send(&reps)
		send(&obs)
		send(&agrs)
	}
	defer flush()
	size := s.opt.BatchSize
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return nil // the writer's error, or the caller's, is returned by file
		}
		if max := s.opt.MaxErrors; max > 0 && s.rejected.Load() >= int64(max) {
			return ErrStopped // the store refused rows of an earlier batch
		}
		it, err := r.Next()
		if err == io.EOF {
			return nil
		}
		var re *RowError
		if errors.As(err, &re) {
			s.read.Add(1)
			if stop := s.reject(re, counts); stop {
				return ErrStopped
			}
			continue
		}
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				return err
			}
			return fmt.Errorf("%s: %w", fs.File, err)
		}
		s.read.Add(1)
		var cur **batch
		switch {
		case it.Report != nil:
			cur = &reps
		case it.Observation != nil:
			cur = &obs
		case it.Agreement != nil:
			cur = &agrs
		default:
			counts.skipped.Add(1)
			continue
		}
		if *cur == nil {
			if *cur = take(); *cur == nil {
				return nil
			}
		}
		b := *cur
		switch {
		case it.Report != nil:
			if it.Report.SubmittedBy == "" {
				it.Report.SubmittedBy = by
			}
			b.reports = append(b.reports, *it.Report)
		case it.Observation != nil:
			b.obs = append(b.obs, *it.Observation)
		default:
			b.agreements = append(b.agreements, *it.Agreement)
		}
		b.lines = append(b.lines, it.Line)
		if b.len() >= size && !send(cur) {
			return nil
		}
	}
}

// reject reports a row, keeps it for the rejects file and reports whether
// the run must stop.
func (s *runState) reject(e *RowError, counts *fileCounts) (stop bool) {
	counts.rejected.Add(1)
	n := s.rejected.Add(1)
	s.mu.Lock()
	fmt.Fprintln(s.opt.Errors, e.Error())
	if s.rejects != nil {
		s.pending = append(s.pending, e)
	}
	s.mu.Unlock()
	return s.opt.MaxErrors > 0 && n >= int64(s.opt.MaxErrors)
}

// write commits one batch. If the store refuses an item (EINVALID), the
// batch is retried row by row so that only the bad rows are rejected.
func (s *runState) write(ctx context.Context, b *batch, by, file string, counts *fileCounts) error {
	var added, present int
	var err error
	switch {
	case len(b.reports) > 0 && b.imp != nil:
		added, present, err = b.imp(ctx)
	case len(b.reports) > 0:
		added, present, err = s.sink.ImportReports(ctx, b.reports)
	case len(b.obs) > 0:
		added, present, err = s.sink.ImportObservations(ctx, b.obs)
	default:
		for i, a := range b.agreements {
			_, changed, perr := s.sink.PutAgreement(ctx, a, by)
			switch {
			case truce.ErrorCode(perr) == truce.EINVALID:
				if s.storeReject(file, b.lines[i], perr, counts) {
					counts.imported.Add(int64(added))
					counts.present.Add(int64(present))
					return ErrStopped
				}
			case perr != nil:
				return fmt.Errorf("%s:%d: store: %w", file, b.lines[i], perr)
			case changed:
				added++
			default:
				present++
			}
		}
	}
	if truce.ErrorCode(err) == truce.EINVALID && b.len() > 1 {
		return s.writeOneByOne(ctx, b, file, counts)
	}
	if truce.ErrorCode(err) == truce.EINVALID {
		if s.storeReject(file, b.lines[0], err, counts) {
			return ErrStopped
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: store: %w", file, err)
	}
	counts.imported.Add(int64(added))
	counts.present.Add(int64(present))
	return nil
}

func (s *runState) writeOneByOne(ctx context.Context, b *batch, file string, counts *fileCounts) error {
	for i := range b.lines {
		var added, present int
		var err error
		if len(b.reports) > 0 {
			added, present, err = s.sink.ImportReports(ctx, b.reports[i:i+1])
		} else {
			added, present, err = s.sink.ImportObservations(ctx, b.obs[i:i+1])
		}
		counts.imported.Add(int64(added))
		counts.present.Add(int64(present))
		switch {
		case truce.ErrorCode(err) == truce.EINVALID:
			if s.storeReject(file, b.lines[i], err, counts) {
				return ErrStopped
			}
		case err != nil:
			return fmt.Errorf("%s:%d: store: %w", file, b.lines[i], err)
		}
	}
	return nil
}

// storeReject rejects a row the store refused and reports whether the run
// must stop. The store names the field of its record ("reports[3].place.lat"
// in a batch, "window.start"): the message keeps the field after the index.
func (s *runState) storeReject(file string, line int, err error, counts *fileCounts) (stop bool) {
	e := &RowError{File: file, Line: line, Msg: truce.ErrorMessage(err)}
	var te *truce.Error
	if errors.As(err, &te) {
		e.Msg = te.Message
		if f := te.Field; f != "" {
			if _, rest, ok := strings.Cut(f, "]."); ok && (strings.HasPrefix(f, "reports[") || strings.HasPrefix(f, "observations[")) {
				f = rest
			}
			e.Msg = "refused by the store: " + f + ": " + te.Message
		}
	}
	return s.reject(e, counts)
}

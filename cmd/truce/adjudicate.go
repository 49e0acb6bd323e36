package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/truce-monitor/truce/internal/adjudicate"
	"github.com/truce-monitor/truce/internal/events"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/terms"
)

// filesFlag is a repeatable flag.
type filesFlag []string

func (f *filesFlag) String() string     { return strings.Join(*f, ",") }
func (f *filesFlag) Set(v string) error { *f = append(*f, v); return nil }

// runAdjudicate implements `truce adjudicate` (contracts/ADJUDICATION.md
// §4): CSV verdicts on stdout; exit 0 when clean, 1 when malformed rows
// were skipped (after all good rows are written), 2 for bad usage, bad
// terms, a bad header, a missing column or an unreadable file, before any
// output.
func runAdjudicate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce adjudicate"
	fs := newFlagSet(cmd, "truce adjudicate --terms TERMS.json --events FILE.csv [--events FILE2.csv ...] [--all]", stderr)
	termsFile := fs.String("terms", "", "the terms `file` (JSON): parties and agreements")
	var files filesFlag
	fs.Var(&files, "events", "an events `file` (CSV, ACLED or UCDP GED); repeat for more, read in the order given")
	all := fs.Bool("all", false, "write every (event, agreement) pair, outside ones included")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	switch {
	case len(pos) > 0:
		return fail(stderr, cmd, usageError(fmt.Sprintf("unexpected argument %q", pos[0])))
	case *termsFile == "":
		return fail(stderr, cmd, usageError("--terms is required"))
	case len(files) == 0:
		return fail(stderr, cmd, usageError("at least one --events file is required"))
	}

	// Every file is opened and its header read before the first line of
	// output, so that a bad file fails the run cleanly; headers first, as
	// they are cheap and the gazetteer is not.
	readers := make([]*events.Reader, len(files))
	for i, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
			return 2
		}
		defer f.Close()
		if readers[i], err = events.NewReader(bufio.NewReaderSize(f, 1<<16), name); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
			return 2
		}
	}
	eng, err := loadEngine(*termsFile)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 2
	}
	for _, s := range eng.Skipped() {
		fmt.Fprintf(stderr, "%s: note: agreement %s not adjudicated: %s\n", cmd, s.ID, s.Reason)
	}

	bw := bufio.NewWriterSize(stdout, 1<<16)
	_, _ = bw.WriteString(adjudicate.CSVHeader)
	jp := startJudging(eng, *all, bw, stderr)
	stop := func(msg string) int { // writes the rows judged so far first
		malformed, werr := jp.close()
		if werr == nil {
			werr = bw.Flush()
		}
		switch {
		case werr != nil:
			fmt.Fprintf(stderr, "%s: write: %v\n", cmd, werr)
			return 2
		case msg != "":
			fmt.Fprintf(stderr, "%s: %s\n", cmd, msg)
			return 2
		case malformed > 0:
			fmt.Fprintf(stderr, "%s: %d malformed rows skipped\n", cmd, malformed)
			return 1
		}
		return 0
	}
	for _, rd := range readers {
		for n := 0; ; n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				return stop(ctx.Err().Error())
			}
			raw, err := rd.ReadRaw()
			if err == io.EOF {
				break
			}
			var re *events.RowError
			if errors.As(err, &re) {
				jp.add(judgeItem{err: re})
				continue
			}
			if err != nil {
				return stop(fmt.Sprintf("%s: %v", rd.File(), err))
			}
			jp.add(judgeItem{rd: rd, raw: raw})
		}
	}
	return stop("")
}

// judging parses and judges events on every core and writes their rows in
// input order: the caller reads rows, workers parse and judge batches of
// them into bytes, and one writer puts the batches out in the order they
// were read, with the malformed rows' messages. The output is the same
// bytes as reading and judging one event after another would write.
type judging struct {
	eng   *adjudicate.Engine
	all   bool
	batch *judgeBatch
	jobs  chan *judgeBatch // to the workers
	order chan *judgeBatch // to the writer, in input order
	free  chan *judgeBatch // written batches, for reuse
	done  chan judged      // the writer's tally, at its end
}

// judgeItem is one row: read, or malformed.
type judgeItem struct {
	rd  *events.Reader
	raw events.Raw
	err *events.RowError
}

// judgeBatch is a run of rows and, once judged, their output.
type judgeBatch struct {
	items  []judgeItem
	out    []byte
	judged chan struct{}
}

type judged struct {
	malformed int
	err       error // the first write error
}

// judgeBatchSize is the rows per batch: big enough that handing batches
// between goroutines costs nothing to speak of, small enough that the
// batches in flight stay a few megabytes.
const judgeBatchSize = 1024

func startJudging(eng *adjudicate.Engine, all bool, w, stderr io.Writer) *judging {
	workers := runtime.GOMAXPROCS(0)
	j := &judging{
		eng: eng, all: all,
		jobs:  make(chan *judgeBatch, workers),
		order: make(chan *judgeBatch, 2*workers+2),
		free:  make(chan *judgeBatch, 3*workers+4),
		done:  make(chan judged, 1),
	}
	for range workers {
		go j.work()
	}
	go j.write(w, stderr)
	return j
}

// add queues one row; a full batch goes to the workers.
func (j *judging) add(it judgeItem) {
	if j.batch == nil {
		select {
		case j.batch = <-j.free:
		default:
			j.batch = &judgeBatch{items: make([]judgeItem, 0, judgeBatchSize)}
		}
		j.batch.judged = make(chan struct{})
	}
	j.batch.items = append(j.batch.items, it)
	if len(j.batch.items) == judgeBatchSize {
		j.flush()
	}
}

func (j *judging) flush() {
	if j.batch == nil {
		return
	}
	j.order <- j.batch // first, so that the writer waits for it in turn
	j.jobs <- j.batch
	j.batch = nil
}

// close judges and writes what is queued and returns the number of
// malformed rows and the first write error.
func (j *judging) close() (malformed int, err error) {
	j.flush()
	close(j.jobs)
	close(j.order)
	d := <-j.done
	return d.malformed, d.err
}

func (j *judging) work() {
	rw := j.eng.RowWriter()
	for b := range j.jobs {
		b.out = b.out[:0]
		for i := range b.items {
			it := &b.items[i]
			if it.err != nil {
				continue
			}
			rec, err := it.rd.Parse(it.raw)
			if err != nil {
				it.err = err.(*events.RowError) // Parse returns no other error
				continue
			}
			ev := adjudicate.EventFromRecord(rec)
			b.out = rw.Append(b.out, &ev, j.all)
		}
		close(b.judged)
	}
}

func (j *judging) write(w, stderr io.Writer) {
	var d judged
	for b := range j.order {
		<-b.judged
		for i := range b.items {
			if e := b.items[i].err; e != nil {
				d.malformed++
				fmt.Fprintln(stderr, e.Error())
			}
			b.items[i] = judgeItem{} // let the rows go
		}
		b.items = b.items[:0]
		if d.err == nil {
			_, d.err = w.Write(b.out)
		}
		select {
		case j.free <- b:
		default:
		}
	}
	j.done <- d
}

// loadEngine reads the terms file and compiles its agreements. The JSON is
// checked before the gazetteer is loaded, so a typo fails at once.
func loadEngine(name string) (*adjudicate.Engine, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := terms.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	gz, err := geo.Load()
	if err != nil {
		return nil, fmt.Errorf("load gazetteer: %w", err)
	}
	eng, err := adjudicate.New(t, gz) // validates the terms in full
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return eng, nil
}

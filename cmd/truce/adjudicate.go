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
	"sync"

	"github.com/truce-monitor/truce"

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
	t, err := decodeTermsFile(*termsFile)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 2
	}
	// The gazetteer loads and the agreements compile (half a second of
	// one core) while the events are read and parsed: nothing is written
	// before the engine is ready, and a bad area still fails the run
	// before any output.
	eng := &engineFuture{done: make(chan struct{})}
	go func() {
		eng.eng, eng.err = buildEngine(*termsFile, t)
		close(eng.done)
	}()

	bw := bufio.NewWriterSize(stdout, 1<<16)
	jp := startJudging(eng, *all, bw, stderr, cmd)
	stop := func(msg string) int { // writes the rows judged so far first
		malformed, werr := jp.close()
		if eng.err != nil { // jp.close waited for the engine
			fmt.Fprintf(stderr, "%s: %v\n", cmd, eng.err)
			return 2
		}
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
			if n%4096 == 0 && (ctx.Err() != nil || eng.failed()) {
				if eng.failed() {
					return stop("")
				}
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

// engineFuture is the engine being built: eng and err are set when done
// is closed.
type engineFuture struct {
	done chan struct{}
	eng  *adjudicate.Engine
	err  error
}

// failed reports whether the engine is built and failed, without waiting.
func (f *engineFuture) failed() bool {
	select {
	case <-f.done:
		return f.err != nil
	default:
		return false
	}
}

// judging parses and judges events on every core and writes their rows in
// input order: the caller reads rows, parse workers interpret batches of
// them into events, judge workers (once the engine is built) judge the
// events into bytes, and one writer puts the batches out in the order they
// were read, with the malformed rows' messages. The output is the same
// bytes as reading and judging one event after another would write. While
// the engine is built, up to parsedAhead batches wait parsed; later the
// reading waits for the writing beyond inFlight batches.
type judging struct {
	eng   *engineFuture
	all   bool
	batch *judgeBatch
	slots chan struct{} // one held for each batch read and not yet written
	seq   int           // the next batch's number in input order
	// Batches go to the judges in input order (a parse worker that
	// finishes early waits its turn), and batch n is judged once batch
	// n-inFlight is written, so that judged bytes do not pile up in front
	// of a slow reader of the output. As the judges take batches in
	// order, the one the writer waits for is always within inFlight,
	// taken by a judge that does not wait.
	mu      sync.Mutex
	queued  int              // batches sent to the judges
	turn    *sync.Cond       // queued changed
	written int              // batches written
	wrote   *sync.Cond       // written changed
	jobs    chan *judgeBatch // to the parse workers
	parsed  chan *judgeBatch // to the judge workers, in input order
	order   chan *judgeBatch // to the writer, in input order
	free    chan *judgeBatch // written batches, for reuse
	done    chan judged      // the writer's tally, at its end
}

// judgeItem is one row: read, or malformed.
type judgeItem struct {
	rd  *events.Reader
	raw events.Raw
	err *events.RowError
}

// judgeBatch is a run of rows, their events once parsed (one for each item
// without err, in order), and once judged their output.
type judgeBatch struct {
	seq    int
	items  []judgeItem
	events []adjudicate.Event
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

// Bounds on the batches read and not yet written. Until the engine is
// built, parsedAhead: parsing ahead hides part of the build (a fraction of
// a second) and holds about 2 KB an event; after, inFlight: judged batches
// hold their rows' bytes (a megabyte or two each), and more in flight
// would only hold memory.
const (
	parsedAhead = 48
	inFlight    = 8
)

func startJudging(eng *engineFuture, all bool, w, stderr io.Writer, cmd string) *judging {
	workers := runtime.GOMAXPROCS(0)
	j := &judging{
		eng: eng, all: all,
		slots:  make(chan struct{}, parsedAhead),
		jobs:   make(chan *judgeBatch, parsedAhead),
		parsed: make(chan *judgeBatch, parsedAhead),
		order:  make(chan *judgeBatch, parsedAhead),
		free:   make(chan *judgeBatch, inFlight),
		done:   make(chan judged, 1),
	}
	j.turn, j.wrote = sync.NewCond(&j.mu), sync.NewCond(&j.mu)
	// Once the engine is built, take all but inFlight slots for good, as
	// the writer frees them.
	go func() {
		<-eng.done
		for range parsedAhead - inFlight {
			j.slots <- struct{}{}
		}
	}()
	var parsing sync.WaitGroup
	for range workers {
		parsing.Go(j.parse)
		go j.judge()
	}
	go func() {
		parsing.Wait()
		close(j.parsed)
	}()
	go j.write(w, stderr, cmd)
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
	j.slots <- struct{}{}
	j.batch.seq = j.seq
	j.seq++
	j.order <- j.batch // first, so that the writer waits for it in turn
	j.jobs <- j.batch
	j.batch = nil
}

// close judges and writes what is queued and returns the number of
// malformed rows and the first write error. It waits for the engine.
func (j *judging) close() (malformed int, err error) {
	j.flush()
	close(j.jobs)
	close(j.order)
	d := <-j.done
	return d.malformed, d.err
}

func (j *judging) parse() {
	for b := range j.jobs {
		b.events = b.events[:0]
		for i := range b.items {
			it := &b.items[i]
			if it.err != nil {
				continue
			}
			rec, err := it.rd.Parse(it.raw)
			it.raw = events.Raw{} // the event keeps what it needs
			if err != nil {
				it.err = err.(*events.RowError) // Parse returns no other error
				continue
			}
			b.events = append(b.events, adjudicate.EventFromRecord(rec))
		}
		j.mu.Lock()
		for j.queued != b.seq {
			j.turn.Wait()
		}
		j.parsed <- b // never blocks: it holds every batch in flight
		j.queued++
		j.mu.Unlock()
		j.turn.Broadcast()
	}
}

func (j *judging) judge() {
	<-j.eng.done
	if j.eng.err != nil {
		for b := range j.parsed {
			close(b.judged)
		}
		return
	}
	rw := j.eng.eng.RowWriter()
	most := 0 // the largest batch output yet: new batches start that big
	for b := range j.parsed {
		j.mu.Lock()
		for b.seq >= j.written+inFlight {
			j.wrote.Wait()
		}
		j.mu.Unlock()
		b.out = b.out[:0]
		if cap(b.out) < most {
			b.out = make([]byte, 0, most+most/8)
		}
		for i := range b.events {
			b.out = rw.Append(b.out, &b.events[i], j.all)
		}
		most = max(most, len(b.out))
		close(b.judged)
	}
}

func (j *judging) write(w, stderr io.Writer, cmd string) {
	var d judged
	<-j.eng.done
	if j.eng.err != nil { // nothing is written
		for b := range j.order {
			<-b.judged
			<-j.slots
		}
		j.done <- d
		return
	}
	for _, s := range j.eng.eng.Skipped() {
		fmt.Fprintf(stderr, "%s: note: agreement %s not adjudicated: %s\n", cmd, s.ID, s.Reason)
	}
	_, d.err = io.WriteString(w, adjudicate.CSVHeader)
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
		clear(b.events)
		if d.err == nil {
			_, d.err = w.Write(b.out)
		}
		<-j.slots
		j.mu.Lock()
		j.written++
		j.mu.Unlock()
		j.wrote.Broadcast()
		select {
		case j.free <- b:
		default:
		}
	}
	j.done <- d
}

// loadEngine reads the terms file and compiles its agreements.
func loadEngine(name string) (*adjudicate.Engine, error) {
	t, err := decodeTermsFile(name)
	if err != nil {
		return nil, err
	}
	return buildEngine(name, t)
}

// decodeTermsFile reads and decodes the terms file: the JSON is checked before
// the gazetteer is loaded, so a typo fails at once.
func decodeTermsFile(name string) (truce.Terms, error) {
	f, err := os.Open(name)
	if err != nil {
		return truce.Terms{}, err
	}
	defer f.Close()
	t, err := terms.Decode(f)
	if err != nil {
		return truce.Terms{}, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// buildEngine loads the gazetteer and compiles the agreements of t, read
// from the file name.
func buildEngine(name string, t truce.Terms) (*adjudicate.Engine, error) {
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

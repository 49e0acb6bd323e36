package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
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
	out := csv.NewWriter(bw) // RFC 4180 quoting, LF line ends
	_ = out.Write([]string{"event_id", "agreement_id", "verdict", "party", "reason"})
	malformed := 0
	row := make([]string, 5)
	for _, rd := range readers {
		for n := 0; ; n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				out.Flush()
				_ = bw.Flush()
				fmt.Fprintf(stderr, "%s: %v\n", cmd, ctx.Err())
				return 2
			}
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			var re *events.RowError
			if errors.As(err, &re) {
				malformed++
				fmt.Fprintln(stderr, re.Error())
				continue
			}
			if err != nil {
				out.Flush()
				_ = bw.Flush()
				fmt.Fprintf(stderr, "%s: %s: %v\n", cmd, rd.File(), err)
				return 2
			}
			ev := adjudicate.EventFromRecord(rec)
			eng.Judge(&ev, *all, func(_ int, v adjudicate.Verdict) {
				row[0], row[1], row[2], row[3], row[4] = ev.ID, v.AgreementID, v.Verdict, v.Party, v.Reason
				_ = out.Write(row)
			})
		}
	}
	out.Flush()
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s: write: %v\n", cmd, err)
		return 2
	}
	if malformed > 0 {
		fmt.Fprintf(stderr, "%s: %d malformed rows skipped\n", cmd, malformed)
		return 1
	}
	return 0
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

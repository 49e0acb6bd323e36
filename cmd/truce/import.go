package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/truce-monitor/truce/internal/ingest"
)

// runImport implements `truce import [FORMAT] FILE...`: it streams the
// field's data formats into the database in batched transactions (see
// internal/ingest). The format is detected from each file's header unless
// named. Exit status: 0 all rows imported or already present; 1 some rows
// rejected (every good row imported), stopped by --max-errors, or a
// database failure; 2 bad usage, an unknown format, or a file that cannot
// be read as one.
// importMemoryLimit is the Go heap an import aims to stay under.
const importMemoryLimit = 256 << 20

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce import"
	fs := newFlagSet("import", cmd+" [FORMAT] FILE... [flags]", stderr)
	dsn := dbFlag(fs, defaultDB)
	logCfg := logFlags(fs)
	format := fs.String("format", "", "the files' format (as the FORMAT argument); detected from each header if not given")
	mappingFile := fs.String("mapping", "", "column mapping (JSON) of a generic CSV; implies format csv")
	maxErrors := fs.Int("max-errors", 0, "stop after this many rejected rows (0: no limit)")
	rejects := fs.String("rejects", "", "write rejected rows, with a reject_reason column, to this CSV file")
	batch := fs.Int("batch", ingest.DefaultBatchSize, "rows per transaction")
	quiet := fs.Bool("quiet", false, "no progress line, even on a terminal")
	// Hidden: benchmark input for `make bench` (see ingest.GenerateACLED).
	genN := fs.Int("generate-acled", 0, "")
	genOut := fs.String("out", "", "")
	genSeed := fs.Uint64("seed", 1, "")
	// Hidden: a CPU profile of the import, for the speed work of `make bench`.
	cpuProfile := fs.String("cpuprofile", "", "")
	fs.Usage = func() { importUsage(fs, cmd, stderr) }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if *genN > 0 {
		return generateACLED(cmd, *genN, *genOut, *genSeed, stderr)
	}
	if len(pos) >= 2 && ingest.KnownFormat(pos[0]) {
		if *format != "" && !strings.EqualFold(*format, pos[0]) {
			return fail(stderr, cmd, usageError(fmt.Sprintf("format given twice: %s and --format %s", pos[0], *format)))
		}
		*format, pos = pos[0], pos[1:]
	} else if len(pos) >= 2 && !fileExists(pos[0]) {
		return fail(stderr, cmd, usageError(fmt.Sprintf("unknown format %q (known: %s)", pos[0], formatNames())))
	}
	if len(pos) == 0 {
		fs.Usage()
		return 2
	}
	if *format != "" && !ingest.KnownFormat(*format) {
		return fail(stderr, cmd, usageError(fmt.Sprintf("unknown format %q (known: %s)", *format, formatNames())))
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	opt := ingest.Options{Format: *format, BatchSize: *batch, MaxErrors: *maxErrors, Rejects: *rejects,
		Errors: stderr, Now: time.Now, Logger: logger}
	if *mappingFile != "" {
		f, err := os.Open(*mappingFile)
		if err != nil {
			return fail(stderr, cmd, usageError(err.Error()))
		}
		opt.Mapping, err = ingest.ParseMapping(f)
		f.Close()
		if err != nil {
			return fail(stderr, cmd, usageError(fmt.Sprintf("%s: %v", *mappingFile, err)))
		}
	}
	if !*quiet && isTerminal(stderr) {
		opt.Progress = stderr
	}
	db, err := openStore(ctx, *dsn, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	// An import allocates fast and holds little (a few batches): collecting
	// at 4x the live heap rather than 2x cut its CPU time by about a tenth
	// (100,000 generated ACLED rows: 6.55 -> 5.80 s, RSS 210 -> 310 MB).
	// GOGC, when set, decides instead. A soft limit keeps the heap of a
	// long import within bounds all the same: near it the collector runs
	// as often as it must (GOMEMLIMIT, when set, decides instead).
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		defer stop()
	}
	sum, err := ingest.Run(ctx, db, opt, pos...)
	printSummary(stdout, sum)
	var fe *ingest.FileError
	switch {
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "%s: interrupted; the batches committed so far are kept: run the same command again to import the rest\n", cmd)
		return 1
	case errors.Is(err, ingest.ErrStopped):
		fmt.Fprintf(stderr, "%s: stopped after %d rejected rows (--max-errors %d); the rows read before were imported\n", cmd, sum.Rejected, *maxErrors)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 1
	case sum.Rejected > 0:
		return 1
	}
	return 0
}

// printSummary writes what happened to each file and in total.
func printSummary(w io.Writer, sum ingest.Summary) {
	for _, f := range sum.Files {
		fmt.Fprintf(w, "%s: %s, %s\n", f.File, f.Format, f.Encoding)
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
		fmt.Fprintf(w, "  %s\n", counts(f.Read, f.Imported, f.Present, f.Rejected, f.Skipped))
	}
	if len(sum.Files) == 0 {
		return
	}
	line := counts(sum.Read, sum.Imported, sum.Present, sum.Rejected, sum.Skipped)
	if secs := sum.Elapsed.Seconds(); secs > 0 {
		line += fmt.Sprintf(" in %s (%.0f rows/s)", sum.Elapsed.Round(time.Millisecond), float64(sum.Read)/secs)
	}
	fmt.Fprintf(w, "total: %s\n", line)
	if sum.Imported == 0 && sum.Present > 0 && sum.Rejected == 0 {
		fmt.Fprintf(w, "nothing new: all %d rows were already present\n", sum.Present)
	}
}

func counts(read, imported, present, rejected, skipped int) string {
	s := fmt.Sprintf("read %d, imported %d, already present %d, rejected %d", read, imported, present, rejected)
	if skipped > 0 {
		s += fmt.Sprintf(", skipped %d", skipped)
	}
	return s
}

// generateACLED writes the benchmark input file.
func generateACLED(cmd string, n int, out string, seed uint64, stderr io.Writer) int {
	if out == "" {
		return fail(stderr, cmd, usageError("--generate-acled needs --out FILE"))
	}
	f, err := os.Create(out)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if err := ingest.GenerateACLED(f, n, seed); err != nil {
		f.Close()
		return fail(stderr, cmd, err)
	}
	if err := f.Close(); err != nil {
		return fail(stderr, cmd, err)
	}
	return 0
}

func importUsage(fs *flag.FlagSet, cmd string, w io.Writer) {
	fmt.Fprintf(w, "usage: %s [FORMAT] FILE... [flags]\n\nFormats (detected from each file's header when FORMAT is not given):\n", cmd)
	for _, f := range ingest.Formats() {
		fmt.Fprintf(w, "  %-10s %s\n", f[0], f[1])
	}
	fmt.Fprintf(w, "\nExit status: 0 imported (or already present), 1 rows rejected, 2 bad usage or unreadable input.\n\nflags:\n")
	hidden := map[string]bool{"generate-acled": true, "out": true, "seed": true, "cpuprofile": true}
	fs.VisitAll(func(f *flag.Flag) {
		if hidden[f.Name] {
			return
		}
		name, use := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  -%s %s\n    \t%s", f.Name, name, use)
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

func formatNames() string {
	var names []string
	for _, f := range ingest.Formats() {
		names = append(names, f[0])
	}
	return strings.Join(names, ", ")
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// isTerminal reports whether w is a character device, where a progress
// line that redraws itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

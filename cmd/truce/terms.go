package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// runTerms implements `truce terms SUBCOMMAND`.
func runTerms(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "import" {
		return runTermsImport(ctx, args[1:], stdin, stdout, stderr)
	}
	const synopsis = "usage: truce terms import [flags] FILE.json"
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(stdout, synopsis)
		return 0
	}
	fmt.Fprintln(stderr, synopsis)
	return 2
}

// runTermsImport implements `truce terms import FILE`: it reads the whole
// terms file and checks it against the contract before it opens the
// database, so bad input writes nothing; the import is one transaction
// and idempotent.
func runTermsImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const cmd = "truce terms import"
	fs := newFlagSet("terms import", cmd+" [flags] FILE.json  (FILE - reads standard input)", stderr)
	dsn := dbFlag(fs, defaultDB)
	logCfg := logFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	name := pos[0]
	t, err := readTerms(name, stdin)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	db, err := openStore(ctx, *dsn, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	sum, err := db.ImportTerms(ctx, t, "cli")
	if err != nil {
		return fail(stderr, cmd, fmt.Errorf("%s: %w", name, err))
	}
	fmt.Fprintf(stdout, "%s: %s\n", name, formatTermsSummary(sum))
	return 0
}

// readTerms reads and validates a terms file; "-" is stdin. Every problem,
// an unreadable file included, is EINVALID: it is the caller's input.
func readTerms(name string, stdin io.Reader) (truce.Terms, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return truce.Terms{}, truce.Invalid("", "%v", err)
		}
		defer f.Close()
		r = f
	}
	gz, err := geo.Load()
	if err != nil {
		return truce.Terms{}, fmt.Errorf("load gazetteer: %w", err)
	}
	t, err := terms.Parse(r, gz)
	if err != nil {
		return truce.Terms{}, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

func formatTermsSummary(s store.TermsSummary) string {
	return fmt.Sprintf("parties: %d added, %d changed, %d unchanged; agreements: %d added, %d new versions, %d unchanged",
		s.PartiesAdded, s.PartiesChanged, s.PartiesUnchanged,
		s.AgreementsAdded, s.AgreementsNewVersion, s.AgreementsUnchanged)
}

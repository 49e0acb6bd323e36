package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
)

// runCompliance implements `truce compliance daily`.
func runCompliance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "usage: truce compliance daily --agreement ID --date YYYY-MM-DD [--format html|json|csv|md|pdf] [--as-of N|CHECKPOINT-FILE] [--db ...]"
	if len(args) == 0 || args[0] != "daily" {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintln(stdout, synopsis)
			return 0
		}
		fmt.Fprintln(stderr, synopsis)
		return 2
	}
	const cmd = "truce compliance daily"
	fs := newFlagSet("compliance daily", strings.TrimPrefix(synopsis, "usage: "), stderr)
	dsn := dbFlag(fs, defaultDB)
	logCfg := logFlags(fs)
	agreement := fs.String("agreement", "", "agreement id (required)")
	date := fs.String("date", "", "reporting day YYYY-MM-DD, in the agreement's time zone (required)")
	format := fs.String("format", "html", "output format: html, json, csv, md or pdf")
	asOf := fs.String("as-of", "", "rebuild the report from the log at this size, or at the size of a checkpoint file (its root hash must match)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return fail(stderr, cmd, err)
	}
	switch {
	case len(pos) > 0:
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	case *agreement == "":
		return fail(stderr, cmd, truce.Invalid("agreement", "required"))
	case *date == "":
		return fail(stderr, cmd, truce.Invalid("date", "required"))
	}
	if _, err := compliance.ParseDate(*date); err != nil {
		return fail(stderr, cmd, err)
	}
	if !validFormat(*format) {
		return fail(stderr, cmd, truce.Invalid("format", "unknown format %q (html, json, csv, md, pdf)", *format))
	}
	size, root, err := parseAsOf(*asOf)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	db, err := openStore(ctx, *dsn, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	if root != nil {
		at, err := db.ResolveAsOf(ctx, size)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		if at.Root != *root {
			return fail(stderr, cmd, truce.Invalid("as-of", "the checkpoint's root hash is not the log's root at size %d: not this log", size))
		}
	}
	g, err := newGrouper()
	if err != nil {
		return fail(stderr, cmd, err)
	}
	rep, err := compliance.Daily(ctx, db, g, *agreement, *date, size)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if err := rep.Render(stdout, *format); err != nil {
		return fail(stderr, cmd, err)
	}
	return 0
}

func validFormat(f string) bool {
	for _, x := range compliance.Formats {
		if f == x {
			return true
		}
	}
	return false
}

// parseAsOf reads --as-of: a log size, or a file holding a checkpoint
// (signed or not), whose size is used and whose root is returned to be
// checked against the log. Empty means the log's current size (-1).
func parseAsOf(s string) (int64, *[32]byte, error) {
	if s == "" {
		return -1, nil, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, nil, truce.Invalid("as-of", "log size %d is negative", n)
		}
		return n, nil, nil
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return 0, nil, truce.Invalid("as-of", "%q is neither a log size nor a readable checkpoint file: %v", s, err)
	}
	text := string(b)
	lines := strings.SplitAfterN(text, "\n", 4)
	if len(lines) < 3 {
		return 0, nil, truce.Invalid("as-of", "%s: not a checkpoint (origin, size, root hash lines)", s)
	}
	_, size, root, err := ledger.ParseCheckpoint(lines[0] + lines[1] + lines[2])
	if err != nil {
		return 0, nil, truce.Invalid("as-of", "%s: %v", s, err)
	}
	r := [32]byte(root)
	return size, &r, nil
}

// newGrouper loads the gazetteer for a command that judges incidents.
func newGrouper() (*incident.Grouper, error) {
	gz, err := geo.Load()
	if err != nil {
		return nil, fmt.Errorf("load gazetteer: %w", err)
	}
	return incident.NewGrouper(gz, incident.DefaultRules())
}

// runAlertRules implements `truce alert-rules add|list`.
func runAlertRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "usage: truce alert-rules add --agreement ID --kind KIND --name NAME [rule flags] [--db ...]\n       truce alert-rules list [--db ...]"
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintln(stdout, synopsis)
			return 0
		}
		fmt.Fprintln(stderr, synopsis)
		return 2
	}
	sub := args[0]
	cmd := "truce alert-rules " + sub
	fs := newFlagSet("alert-rules "+sub, cmd+" [flags]", stderr)
	dsn := dbFlag(fs, defaultDB)
	logCfg := logFlags(fs)
	var r truce.AlertRule
	if sub == "add" {
		fs.StringVar(&r.AgreementID, "agreement", "", "agreement id (required)")
		fs.StringVar(&r.Kind, "kind", "", "rule kind: "+strings.Join(truce.AlertRuleKinds, ", "))
		fs.StringVar(&r.Name, "name", "", "a name for people (required)")
		fs.IntVar(&r.Count, "count", 0, "verified_by_party: at least this many verified violations")
		fs.IntVar(&r.WithinHours, "within-hours", 24, "verified_by_party: within this many hours")
		fs.StringVar(&r.Party, "party", "", "verified_by_party: only this party (default any one party)")
		fs.StringVar(&r.Target, "target", "", "verified_target: energy or civilian")
		fs.Float64Var(&r.Factor, "factor", 0, "baseline_ratio: a day's violations above this many times the pre-truce baseline")
	}
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	}
	if sub == "add" {
		if r.Kind != truce.RuleVerifiedByParty {
			r.WithinHours = 0
		}
		if err := r.Validate(); err != nil {
			return fail(stderr, cmd, err)
		}
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	db, err := openStore(ctx, *dsn, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if sub == "list" {
		rules, err := db.AlertRules(ctx)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		if rules == nil {
			rules = []truce.AlertRule{}
		}
		return fail(stderr, cmd, enc.Encode(rules))
	}
	r.CreatedBy = "cli"
	if err := db.CreateAlertRule(ctx, &r); err != nil {
		return fail(stderr, cmd, err)
	}
	return fail(stderr, cmd, enc.Encode(r))
}

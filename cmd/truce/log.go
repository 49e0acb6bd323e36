package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce/internal/ledger"
)

// Environment of the log commands.
const (
	envLogKey    = "TRUCE_LOG_KEY"    // path of the log's signing key file
	envLogOrigin = "TRUCE_LOG_ORIGIN" // the log's name, given to a new key
	envServer    = "TRUCE_SERVER"     // a Truce server's URL, for remote verification
)

// defaultLogOrigin names a log whose key was made without TRUCE_LOG_ORIGIN.
// Witnesses pin the key, not the name, so a shared default name is safe;
// a mission should still name its log.
const defaultLogOrigin = "truce-log"

// logKeyPath returns the signing key's path for the database dsn: keyFlag
// if given, else the file beside a SQLite database ("truce.db" keeps its
// key in "truce.db.key"), else truce-log.key in the working directory.
func logKeyPath(dsn, keyFlag string) string {
	if keyFlag != "" {
		return keyFlag
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "truce-log.key"
	}
	path := strings.TrimPrefix(dsn, "file:")
	path, _, _ = strings.Cut(path, "?")
	if path == "" || path == ":memory:" {
		return "truce-log.key"
	}
	return path + ".key"
}

// openLogKey loads (or on first use creates, mode 0600) the log's signing
// key for the database dsn; keyFlag overrides the path. A new key is named
// origin, else $TRUCE_LOG_ORIGIN, else defaultLogOrigin; an existing key is
// refused only if an origin was asked for and it has another name.
// The server calls it at start.
func openLogKey(dsn, keyFlag, origin string) (ledger.Key, error) {
	path := logKeyPath(dsn, keyFlag)
	if origin == "" {
		origin = os.Getenv(envLogOrigin)
	}
	if origin == "" {
		if _, err := os.Stat(path); err == nil {
			return ledger.OpenKey(path, "")
		}
		origin = defaultLogOrigin
	}
	return ledger.OpenKey(path, origin)
}

// runLog implements `truce log SUBCOMMAND`.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runLogVerify(ctx, args[1:], stdout, stderr)
		case "witness":
			return runLogWitness(ctx, args[1:], stdout, stderr)
		case "checkpoint":
			return runLogCheckpoint(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, `usage:
  truce log verify [--db DSN | --server URL [--token TOKEN]] [--key FILE] [--json]
                                 recompute the log from the records and check it against
                                 every signed checkpoint; exit 1 if anything is wrong
  truce log witness --server URL --state DIR [--key FILE] [--every DURATION]
                                 check that the server's log only ever grows
  truce log checkpoint [--db DSN] [--key FILE]
                                 sign a checkpoint of the log now
`)
	return 2
}

// runLogVerify implements `truce log verify`.
func runLogVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce log verify"
	fs := newFlagSet("log verify", cmd+" [--db DSN | --server URL [--token TOKEN]] [--key FILE] [--json]", stderr)
	dsn := dbFlag(fs, defaultDB)
	server := fs.String("server", "", "verify a server's log over HTTP instead of a database (env "+envServer+")")
	keyFile := fs.String("key", "", "the log's verifier key: a file with the key line (from /api/v1/log/key) or the signing key file;\n"+
		"default: for --db the key file beside the database ($"+envLogKey+"), for --server the server's own key")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	token := fs.String("token", "", "with --server: an API token of a signed-in user (any role), to check every leaf by its data;\n"+
		"the public is served only the hash of leaves that are not public (env "+envToken+")")
	logCfg := logFlags(fs)
	if pos, err := parseArgs(fs, args); err != nil {
		return fail(stderr, cmd, err)
	} else if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	}
	if *server == "" {
		*server = os.Getenv(envServer)
	}
	dbSet := flagSet(fs, "db")
	if *server != "" && dbSet {
		return fail(stderr, cmd, usageError("give --db or --server, not both"))
	}
	if *token != "" && *server == "" {
		return fail(stderr, cmd, usageError("--token goes with --server"))
	}
	if *token == "" && *server != "" {
		*token = os.Getenv(envToken)
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}

	var src ledger.Source
	var v note.Verifier
	if *server != "" {
		c, err := ledger.NewClient(*server, &http.Client{Timeout: time.Minute})
		if err != nil {
			return fail(stderr, cmd, err)
		}
		if *token != "" {
			c = c.WithToken(*token)
		}
		if *keyFile == "" {
			vkey, err := c.Key(ctx)
			if err != nil {
				return fail(stderr, cmd, err)
			}
			fmt.Fprintf(stderr, "%s: trusting the server's own key %s; give --key to check against a key you hold\n", cmd, vkey)
			if v, _, err = ledger.ParseVerifierKey([]byte(vkey)); err != nil {
				return fail(stderr, cmd, fmt.Errorf("the server's key: %w", err))
			}
		}
		src = c
	} else {
		db, err := openStore(ctx, *dsn, logger)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		defer db.Close()
		if *keyFile == "" {
			path := logKeyPath(*dsn, os.Getenv(envLogKey))
			k, err := ledger.OpenKey(path, "")
			if err != nil {
				return fail(stderr, cmd, fmt.Errorf("%w (give the verifier key with --key)", err))
			}
			v = k.Verifier
		}
		src = db
	}
	if *keyFile != "" {
		if v, err = readVerifierKey(*keyFile); err != nil {
			return fail(stderr, cmd, err)
		}
	}

	rep, err := ledger.Verify(ctx, src, v)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printVerifyReport(stdout, rep, v.Name())
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

func printVerifyReport(w io.Writer, rep *ledger.VerifyReport, origin string) {
	fmt.Fprintf(w, "log %s: %d entries, root %s\n", origin, rep.Size, rep.Root)
	fmt.Fprintf(w, "checkpoints: %d checked, latest signed size %d\n", rep.Checkpoints, rep.Signed)
	if !rep.RecordsChecked {
		fmt.Fprintln(w, "records: not re-read (remote log): leaves were re-hashed and checked against the signed roots")
	}
	// Only a server withholds leaves; a database's verify reads them all.
	if rep.ByHashOnly > 0 {
		fmt.Fprintf(w, "leaves: %d checked by content, %d by hash only (their data is withheld from the public; --token of a signed-in user checks them by content)\n", rep.ByContent, rep.ByHashOnly)
	} else if !rep.RecordsChecked {
		fmt.Fprintf(w, "leaves: %d checked by content, 0 by hash only\n", rep.ByContent)
	}
	if rep.Signed < rep.Size {
		fmt.Fprintf(w, "note: entries %d..%d are not yet covered by a checkpoint\n", rep.Signed, rep.Size-1)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(w, p.String())
	}
	switch n := int64(len(rep.Problems)) + rep.MoreProblems; {
	case n == 0:
		fmt.Fprintln(w, "OK: the log is intact")
	default:
		if rep.MoreProblems > 0 {
			fmt.Fprintf(w, "... and %d more problems\n", rep.MoreProblems)
		}
		fmt.Fprintf(w, "FAILED: %d problems\n", n)
	}
}

func readVerifierKey(path string) (note.Verifier, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, _, err := ledger.ParseVerifierKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// runLogWitness implements `truce log witness`.
func runLogWitness(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce log witness"
	fs := newFlagSet("log witness", cmd+" --server URL --state DIR [--key FILE] [--every DURATION]", stderr)
	server := fs.String("server", os.Getenv(envServer), "the Truce server to watch (env "+envServer+")")
	state := fs.String("state", "", "directory keeping the pinned key and the checkpoints seen (required)")
	keyFile := fs.String("key", "", "pin this verifier key on first use instead of trusting the server's")
	every := fs.Duration("every", 0, "check again at this interval until interrupted; 0 checks once")
	if pos, err := parseArgs(fs, args); err != nil {
		return fail(stderr, cmd, err)
	} else if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	}
	if *server == "" || *state == "" {
		return fail(stderr, cmd, usageError("--server and --state are required"))
	}
	c, err := ledger.NewClient(*server, &http.Client{Timeout: time.Minute})
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if *keyFile != "" {
		data, err := os.ReadFile(*keyFile)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		_, vkey, err := ledger.ParseVerifierKey(data)
		if err != nil {
			return fail(stderr, cmd, fmt.Errorf("%s: %w", *keyFile, err))
		}
		if err := ledger.PinKey(*state, vkey); err != nil {
			return fail(stderr, cmd, err)
		}
	}
	for {
		res, err := ledger.Witness(ctx, c, *state)
		if err != nil {
			return fail(stderr, cmd, err)
		}
		switch {
		case res.Pinned:
			fmt.Fprintf(stdout, "pinned the server's key (trust on first use); checkpoint size %d root %s\n", res.Current.Size, res.Current.Root)
		case res.Previous == nil:
			fmt.Fprintf(stdout, "first checkpoint: size %d root %s\n", res.Current.Size, res.Current.Root)
		case res.Previous.Size == res.Current.Size:
			fmt.Fprintf(stdout, "unchanged: size %d root %s\n", res.Current.Size, res.Current.Root)
		default:
			fmt.Fprintf(stdout, "consistent: size %d extends size %d; root %s\n", res.Current.Size, res.Previous.Size, res.Current.Root)
		}
		if *every <= 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(*every):
		}
	}
}

// runLogCheckpoint implements `truce log checkpoint`.
func runLogCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce log checkpoint"
	fs := newFlagSet("log checkpoint", cmd+" [--db DSN] [--key FILE]", stderr)
	dsn := dbFlag(fs, defaultDB)
	keyFile := fs.String("key", os.Getenv(envLogKey), "the log's signing key file, created (mode 0600) if missing (env "+envLogKey+"; default beside the database)")
	origin := fs.String("origin", "", "the log's name, for a new key (env "+envLogOrigin+"; default "+defaultLogOrigin+")")
	logCfg := logFlags(fs)
	if pos, err := parseArgs(fs, args); err != nil {
		return fail(stderr, cmd, err)
	} else if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
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
	k, err := openLogKey(*dsn, *keyFile, *origin)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	cp, err := ledger.NewLog(db, k.Signer, logger).Checkpoint(ctx)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "%s", cp.Note)
	return 0
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

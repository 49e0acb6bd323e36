package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/truce-monitor/truce/internal/store"
)

// runDB implements `truce db copy`.
func runDB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "copy" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, dbUsage)
			return 0
		}
		fmt.Fprint(stderr, dbUsage)
		return 2
	}
	return runDBCopy(ctx, args[1:], stdout, stderr)
}

const dbUsage = `usage: truce db copy --from FILE.db --to postgres://...

Moves a mission from SQLite to PostgreSQL: every record with its id, the
log's leaves, hashes and checkpoints, in one transaction, into an empty
database. The log keeps its root, so "truce log verify --db URL --key
FILE.db.key" passes on the target as on the source.
`

func runDBCopy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce db copy"
	fs := newFlagSet("db copy", "truce db copy --from FILE.db --to postgres://...", stderr)
	from := fs.String("from", "", "the SQLite database to copy (required)")
	to := fs.String("to", "", "the empty database to fill: a postgres:// URL, or a SQLite file (required)")
	logCfg := logFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	switch {
	case len(pos) > 0:
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	case *from == "" || *to == "":
		fs.Usage()
		return fail(stderr, cmd, usageError("--from and --to are required"))
	case strings.HasPrefix(*from, "postgres://") || strings.HasPrefix(*from, "postgresql://"):
		return fail(stderr, cmd, usageError("--from must be a SQLite database"))
	case *from == *to:
		return fail(stderr, cmd, usageError("--from and --to name the same database"))
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	src, err := openStore(ctx, *from, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer src.Close()
	dst, err := openStore(ctx, *to, logger)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer dst.Close()
	sum, err := src.CopyTo(ctx, dst, func(tc store.TableCopy) {
		fmt.Fprintf(stdout, "%-28s %9d rows\n", tc.Table, tc.Rows)
	})
	if err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "copied %s to %s: log of %d entries, root %s\n", *from, redactDSN(*to), sum.LogSize, sum.Root)
	fmt.Fprintf(stdout, "the log's signing key stays %s: give it to the servers (--log-key) and to log verify (--key)\n", logKeyPath(*from, ""))
	return 0
}

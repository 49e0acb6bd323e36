// Command truce runs a ceasefire monitoring mission: the server, the demo,
// terms and data imports, batch adjudication and the ledger's checks.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// Agreements name IANA zones; embedding the database makes them resolve
	// the same way on any machine, including ones without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful shutdown, a second one
		// gets the default behaviour and ends the process at once.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status: 0 success, 1
// failure, 2 bad usage or bad input.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "terms":
		return runTerms(ctx, rest, stdin, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "adjudicate":
		return runAdjudicate(ctx, rest, stdout, stderr)
	case "log":
		return runLog(ctx, rest, stdout, stderr)
	case "db":
		return runDB(ctx, rest, stdout, stderr)
	case "compliance":
		return runCompliance(ctx, rest, stdout, stderr)
	case "alert-rules":
		return runAlertRules(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdin, stdout, stderr)
	case "token":
		return runToken(ctx, rest, stdout, stderr)
	case "report":
		return runReport(ctx, rest, stdin, stdout, stderr)
	case "incidents":
		return runIncidents(ctx, rest, stdout, stderr)
	case "version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return run(ctx, []string{rest[0], "-h"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "truce: unknown command %q\n\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Truce: ceasefire monitoring.

Usage:
  truce serve [flags]                 serve the web API (default http://127.0.0.1:8080/)
  truce demo [flags]                  load the demo mission into truce-demo.db and serve it
  truce terms import [flags] FILE     import parties and agreements from a terms file (- for stdin)
  truce import [FORMAT] FILE... [flags]
                                      import reports, observations or agreements from the
                                      field's formats (ACLED, UCDP GED, FIRMS, alerts, PA-X, ...)
  truce adjudicate --terms FILE --events FILE.csv [--events ...] [--all]
                                      judge events against agreements, CSV to stdout
  truce log verify|witness|checkpoint [flags]
                                      check and sign the tamper-evident log
  truce db copy --from FILE.db --to postgres://...
                                      move a mission from SQLite to an empty PostgreSQL database
  truce compliance daily --agreement ID --date YYYY-MM-DD [--format html|json|csv|md|pdf] [--as-of N]
                                      the daily compliance report of an agreement
  truce alert-rules add|list [flags]  the alert rules guarantors set on the record
  truce user add|passwd|list|disable|enable
                                      manage users (user add prints a new API token once)
  truce token add|revoke              issue or revoke API tokens
  truce report add --server URL --token TOKEN FILE.json
                                      file a report on a server (contracts/REPORTS.md)
  truce incidents --server URL [--token TOKEN] [--status S] [--from T] [--to T] [--bbox W,S,E,N] [--json]
                                      list a server's incidents
  truce version                       print the version
  truce help [COMMAND]                show this help, or a command's flags

Configuration comes from flags and TRUCE_* environment variables;
flags win. Run "truce help COMMAND" for a command's flags.
`)
}

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/truce-monitor/truce/internal/demo"
)

// runDemo implements `truce demo`: the server of `truce serve` on its own
// database, with the demo mission loaded into it the first time.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce demo"
	fs := newFlagSet("demo", cmd+" [flags]", stderr)
	// Not TRUCE_DB: the demo's illustrative records must never land in a
	// mission's real database because a variable was left set.
	cfg := serverFlags(fs, envDemoDB, defaultDemoDB)
	if pos, err := parseArgs(fs, args); err != nil {
		return fail(stderr, cmd, err)
	} else if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	}
	return fail(stderr, cmd, serve(ctx, *cfg, stderr, func(ctx context.Context, s *server) error {
		sum, err := demo.Load(ctx, s.db, s.gz, s.logger)
		if err != nil {
			return fmt.Errorf("load demo mission: %w", err)
		}
		fmt.Fprintln(stdout, sum.String())
		return ensureDemoAccounts(ctx, s.db, stdout)
	}, func(s *server) {
		fmt.Fprintf(stdout, "Truce demo mission at %s\n", s.URL())
	}))
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// runGroup groups a database's new reports into incidents, as the server's
// background job does after an import: store.GroupNew with the default
// rules.
func runGroup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("group", flag.ContinueOnError)
	dsn := fs.String("db", "", "the database to group (SQLite path or postgres:// URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		return fmt.Errorf("group: --db is required")
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	gz, err := geo.Load()
	if err != nil {
		return err
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := db.GroupNew(ctx, g)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	fmt.Fprintf(stdout, "grouped %d reports into %d live incidents in %s\n", sum.Reports, len(sum.Live()), time.Since(start).Round(time.Millisecond))
	return nil
}

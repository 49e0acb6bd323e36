package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/store"
)

// runToken creates a monitor for the load generator (it files reports)
// and prints an API token for it.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	dsn := fs.String("db", "", "the database")
	name := fs.String("name", "bench-monitor", "the user to create (or reuse)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.User(ctx, *name)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		u = truce.User{Name: *name, Role: truce.RoleMonitor}
		err = db.CreateUser(ctx, &u, "", "bench")
	}
	if err != nil {
		return err
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if _, err := db.CreateToken(ctx, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// Command api benchmarks Truce's HTTP API over loopback, for
// scripts/bench-api.sh (make bench):
//
//	api group --db DSN           group a filled database's reports into incidents
//	api token --db DSN           create a monitor and print an API token for it
//	api load --url URL [flags]   measure requests: p50, p99 and throughput per endpoint
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/api:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: api group|token|load [flags]")
	}
	switch args[0] {
	case "group":
		return runGroup(ctx, args[1:], stdout)
	case "token":
		return runToken(ctx, args[1:], stdout)
	case "load":
		return runLoad(ctx, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q (group, token, load)", args[0])
}

package main

import (
	"context"
	"io"
)

// runServe implements `truce serve`: open the store, serve the API until
// SIGINT or SIGTERM, shut down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "truce serve [flags]", stderr)
	cfg := serverFlags(fs, envDB, defaultDB)
	if pos, err := parseArgs(fs, args); err != nil {
		return fail(stderr, "truce serve", err)
	} else if len(pos) > 0 {
		return fail(stderr, "truce serve", usageError("unexpected argument "+pos[0]))
	}
	return fail(stderr, "truce serve", serve(ctx, *cfg, stderr, nil, nil))
}

// serve runs a server for cfg until ctx is done. prepare, when not nil,
// runs on the open store before the server listens (the demo loads its
// mission there); started, when not nil, runs once it listens.
func serve(ctx context.Context, cfg Config, stderr io.Writer, prepare func(context.Context, *server) error, started func(*server)) error {
	if cfg.envErr != nil {
		return cfg.envErr
	}
	logger, err := cfg.Log.Logger(stderr)
	if err != nil {
		return err
	}
	s, err := openServer(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if prepare != nil {
		if err := prepare(ctx, s); err != nil {
			s.Close()
			return err
		}
	}
	if err := s.Start(); err != nil {
		s.Close()
		return err
	}
	logger.Info("truce serving", "url", s.URL(), "db", redactDSN(cfg.DB), "dialect", s.db.Dialect())
	if started != nil {
		started(s)
	}
	if err := s.Run(ctx); err != nil {
		return err
	}
	logger.Info("truce stopped")
	return nil
}

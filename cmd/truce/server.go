package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/httpapi"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/web"
)

// HTTP server timeouts. Slow clients cannot hold connections open; a
// streaming handler (the live event stream, later) lifts its own write
// deadline with http.ResponseController.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 120 * time.Second
	idleTimeout       = 120 * time.Second
)

// server is a running Truce: the store, the gazetteer and the HTTP API on
// a listener. `truce serve` and `truce demo` run one; tests run one on
// 127.0.0.1:0 and ask Addr where it landed.
type server struct {
	cfg    Config
	logger *slog.Logger
	db     *store.DB
	gz     *geo.Gazetteer
	key    ledger.Key
	log    *ledger.Log
	ln     net.Listener
	http   *http.Server
	served chan error // the result of http.Serve, once it returns
	// stopCheckpoints ends the checkpoint loop; checkpointsDone closes
	// when it has, so that the store is not closed under it.
	stopCheckpoints context.CancelFunc
	checkpointsDone chan struct{}
	jobs            background // the background workers (jobs.go)
}

// openServer opens the store, the log's signing key and the gazetteer;
// Start then serves.
func openServer(ctx context.Context, cfg Config, logger *slog.Logger) (*server, error) {
	db, err := openStore(ctx, cfg.DB, logger)
	if err != nil {
		return nil, err
	}
	// After the store, so that a database that cannot be opened leaves no
	// stray key file behind.
	key, err := openLogKey(cfg.DB, cfg.LogKey, cfg.LogOrigin)
	if err != nil {
		db.Close()
		return nil, err
	}
	gz, err := geo.Load()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load gazetteer: %w", err)
	}
	return &server{cfg: cfg, logger: logger, db: db, gz: gz, key: key, log: ledger.NewLog(db, key.Signer, logger)}, nil
}

// Start listens on cfg.Addr and serves in the background.
func (s *server) Start() error {
	if err := s.startJobs(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		s.stopJobs()
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	api := httpapi.New(httpapi.Config{
		DB:        s.db,
		Gazetteer: s.gz,
		Logger:    s.logger,
		Now:       time.Now,
		Version:   version(),
		Log:       ledger.Handler(s.db, s.log, s.key.VerifierKey, ledger.WithholdData(httpapi.LogWithhold)),
		Web:       web.New(web.Config{Gazetteer: s.gz, Logger: s.logger, Version: version()}),

		TrustedProxies:      s.cfg.TrustedProxies,
		WebhookAllowPrivate: s.cfg.Webhooks.AllowPrivate,
		StreamLimits:        s.cfg.Streams,
	})
	s.ln = ln
	s.http = &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(api.CloseStreams) // event streams never end by themselves
	s.served = make(chan error, 1)
	go func() { s.served <- s.http.Serve(ln) }()

	ctx, cancel := context.WithCancel(context.Background())
	s.stopCheckpoints, s.checkpointsDone = cancel, make(chan struct{})
	go func() {
		defer close(s.checkpointsDone)
		if s.cfg.CheckpointEvery > 0 {
			s.log.RunCheckpoints(ctx, s.cfg.CheckpointEvery)
		}
	}()
	return nil
}

// Addr returns the address the server listens on, with the real port
// when cfg.Addr asked for port 0.
func (s *server) Addr() string { return s.ln.Addr().String() }

// URL returns the server's base URL, naming localhost when it listens on
// every interface.
func (s *server) URL() string {
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return "http://" + s.Addr() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// Run serves until ctx is done (a signal) or the server fails, then shuts
// down gracefully.
func (s *server) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case err := <-s.served:
		s.served <- err // for Close, which reports it
	}
	return s.Close()
}

// Close stops accepting connections, lets requests in flight finish
// within the shutdown timeout, then closes the store.
func (s *server) Close() error {
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down: %w", err))
			s.http.Close()
		}
		if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
		s.http = nil
	}
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
		<-s.checkpointsDone
		s.stopCheckpoints = nil
	}
	s.stopJobs()
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		s.db = nil
	}
	return errors.Join(errs...)
}

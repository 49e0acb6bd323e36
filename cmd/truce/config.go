package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/httpapi"
	"github.com/truce-monitor/truce/internal/store"
)

// Environment variables. A flag given on the command line wins over its
// variable, which wins over the built-in default.
const (
	envAddr       = "TRUCE_ADDR"
	envDB         = "TRUCE_DB"
	envDemoDB     = "TRUCE_DEMO_DB"
	envLogLevel   = "TRUCE_LOG_LEVEL"
	envLogFormat  = "TRUCE_LOG_FORMAT"
	envCheckpoint = "TRUCE_CHECKPOINT_EVERY"
	envProxies    = "TRUCE_TRUSTED_PROXIES"
)

// Defaults.
const (
	defaultAddr   = "127.0.0.1:8080"
	defaultDB     = "truce.db"
	defaultDemoDB = "truce-demo.db"
	// defaultCheckpointEvery is how often the server signs a checkpoint of
	// the log (only when it grew): often enough that a witness sees new
	// records within minutes, rarely enough that checkpoints stay few.
	defaultCheckpointEvery = 5 * time.Minute
	// shutdownTimeout bounds how long in-flight requests may finish after
	// SIGINT/SIGTERM before their connections are closed.
	shutdownTimeout = 15 * time.Second
)

// Config is the configuration of the commands that serve HTTP, read once
// from flags and environment and passed down.
type Config struct {
	Addr string // host:port to listen on; port 0 picks a free one
	DB   string // SQLite path or file: URI, or postgres:// URL
	Log  LogConfig
	// LogKey is the log's signing key file ("" beside the database) and
	// LogOrigin the name a new key gets; see openLogKey.
	LogKey, LogOrigin string
	// CheckpointEvery is how often the log is checkpointed; 0 never
	// (checkpoints are then signed on demand, by GET /api/v1/log/checkpoint
	// or `truce log checkpoint`).
	CheckpointEvery time.Duration
	// Jobs runs the background jobs (see jobs.go); tests that start a
	// server leave it off unless they test the jobs.
	Jobs bool

	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto the API believes (client address for the sign-in
	// limit and logs; HTTPS for the session cookie's Secure flag).
	TrustedProxies []netip.Prefix
	// Webhooks configures webhook registration and delivery (webhooks.go).
	Webhooks webhookConfig
	// Streams bound the live event streams open at once (stream.go).
	Streams httpapi.StreamLimits

	envErr error // a malformed environment variable, reported before anything starts
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration
}

// LogConfig is how the program logs: to standard error, at Level, as
// text or JSON.
type LogConfig struct {
	Level  string
	Format string
}

// serverFlags registers the flags of a serving command on fs. dbEnv and
// dbDefault say where its database comes from.
func serverFlags(fs *flag.FlagSet, dbEnv, dbDefault string) *Config {
	cfg := &Config{ShutdownTimeout: shutdownTimeout}
	fs.StringVar(&cfg.Addr, "addr", envOr(envAddr, defaultAddr), "listen address host:port (env "+envAddr+")")
	dbFlagVar(fs, &cfg.DB, dbEnv, dbDefault)
	logFlagsVar(fs, &cfg.Log)
	fs.StringVar(&cfg.LogKey, "log-key", os.Getenv(envLogKey), "the tamper-evident log's signing key file, created (mode 0600) if missing;\ndefault: beside a SQLite database (truce.db.key), else truce-log.key (env "+envLogKey+")")
	fs.StringVar(&cfg.LogOrigin, "log-origin", "", "the log's name, given to a new key (env "+envLogOrigin+"; default "+defaultLogOrigin+")")
	fs.DurationVar(&cfg.CheckpointEvery, "checkpoint-every", defaultCheckpointEvery, "sign a checkpoint of the log this often when it grew; 0 never (env "+envCheckpoint+")")
	fs.Func("trusted-proxies", "comma-separated CIDRs (or addresses) of reverse proxies whose X-Forwarded-For and\nX-Forwarded-Proto are believed, e.g. 127.0.0.1/32,10.0.0.0/8; default none (env "+envProxies+")",
		func(v string) (err error) {
			cfg.TrustedProxies, err = parseProxies(v)
			return err
		})
	if v := os.Getenv(envProxies); v != "" {
		if err := fs.Set("trusted-proxies", v); err != nil {
			cfg.envErr = truce.Invalid(envProxies, "%v", err)
		}
	}
	if v := os.Getenv(envCheckpoint); v != "" {
		if err := fs.Set("checkpoint-every", v); err != nil {
			cfg.envErr = truce.Invalid(envCheckpoint, "%q is not a duration (e.g. 5m, 1h)", v)
		}
	}
	fs.BoolVar(&cfg.Jobs, "jobs", true, "run the background jobs (grouping, findings); with several servers on one database they run on one (env "+envJobs+")")
	if v := os.Getenv(envJobs); v != "" {
		if err := fs.Set("jobs", v); err != nil {
			cfg.envErr = truce.Invalid(envJobs, "%q is not true or false", v)
		}
	}
	webhookFlags(fs, cfg)
	streamFlags(fs, cfg)
	return cfg
}

// parseProxies reads a comma-separated list of CIDRs or addresses.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// dbFlag registers --db on fs: a SQLite file path (or file: URI) or a
// postgres:// URL, defaulting to $TRUCE_DB, then to def. Every command
// that opens the database takes it this way.
func dbFlag(fs *flag.FlagSet, def string) *string {
	var dsn string
	dbFlagVar(fs, &dsn, envDB, def)
	return &dsn
}

func dbFlagVar(fs *flag.FlagSet, p *string, env, def string) {
	fs.StringVar(p, "db", envOr(env, def), "database: SQLite file path or postgres:// URL (env "+env+")")
}

// logFlags registers --log-level and --log-format on fs.
func logFlags(fs *flag.FlagSet) *LogConfig {
	var c LogConfig
	logFlagsVar(fs, &c)
	return &c
}

func logFlagsVar(fs *flag.FlagSet, c *LogConfig) {
	fs.StringVar(&c.Level, "log-level", envOr(envLogLevel, "info"), "log level: debug, info, warn, error (env "+envLogLevel+")")
	fs.StringVar(&c.Format, "log-format", envOr(envLogFormat, "text"), "log format: text or json (env "+envLogFormat+")")
}

// Logger returns the program's logger, writing to w.
func (c LogConfig) Logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, truce.Invalid("log-level", "%q is not a level (debug, info, warn, error)", c.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.Format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, truce.Invalid("log-format", "%q is not a format (text, json)", c.Format)
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// openStore opens the database named by dsn for a command.
func openStore(ctx context.Context, dsn string, logger *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, dsn, store.Options{Now: time.Now, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
	}
	return db, nil
}

// redactDSN hides a password in a postgres:// URL before it is printed.
func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return dsn
}

// parseArgs parses flags that may come before, between or after the
// positional arguments (`terms import FILE --db x`), which flag.Parse
// alone stops at, and returns the positional ones. "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting
// and prints its help to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// exitStatus maps an error to the exit status: 0 none (or -h), 2 bad
// usage or bad input, 1 anything else. It is the only place that does.
func exitStatus(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case truce.ErrorCode(err) == truce.EINVALID, errors.As(err, new(usageError)), errors.As(err, new(flagError)):
		return 2
	}
	return 1
}

// usageError is a command line that does not make sense.
type usageError string

func (e usageError) Error() string { return string(e) }

// flagError is a flag the flag set rejected; it has printed the error and
// the usage already.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

// fail reports err on stderr, prefixed with the command, and returns the
// exit status for it. Flag errors were already printed by the flag set.
func fail(stderr io.Writer, cmd string, err error) int {
	if err != nil && !errors.Is(err, flag.ErrHelp) && !errors.As(err, new(flagError)) {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
	}
	return exitStatus(err)
}

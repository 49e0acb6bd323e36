package main

import (
	"flag"
	"os"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/httpapi"
)

// Environment variables bounding the live event streams open at once.
const (
	envStreamMax       = "TRUCE_STREAM_MAX"
	envStreamMaxClient = "TRUCE_STREAM_MAX_PER_CLIENT"
)

// streamFlags registers the live stream's limits on a serving command.
func streamFlags(fs *flag.FlagSet, cfg *Config) {
	for _, f := range []struct {
		name, env, usage string
		p                *int
		def              int
	}{
		{"stream-max", envStreamMax, "event streams (GET /api/v1/stream) open at once; beyond, 503", &cfg.Streams.PerServer, httpapi.DefaultStreamLimits.PerServer},
		{"stream-max-per-client", envStreamMaxClient, "event streams open at once from one client address; beyond, 429", &cfg.Streams.PerClient, httpapi.DefaultStreamLimits.PerClient},
	} {
		fs.IntVar(f.p, f.name, f.def, f.usage+" (env "+f.env+")")
		if v := os.Getenv(f.env); v != "" {
			if err := fs.Set(f.name, v); err != nil || *f.p < 1 {
				cfg.envErr = truce.Invalid(f.env, "%q is not a positive whole number", v)
			}
		}
	}
}

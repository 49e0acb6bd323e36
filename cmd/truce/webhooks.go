package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/webhook"
)

// Environment variables of the webhook settings.
const (
	// envWebhookAllowPrivate lets webhooks reach private, loopback and
	// link-local addresses ("1" or "true").
	envWebhookAllowPrivate = "TRUCE_WEBHOOK_ALLOW_PRIVATE"
	// envWebhookKeep and envWebhookKeepLast bound the record of delivery
	// attempts: by age (a duration) and by number per webhook.
	envWebhookKeep     = "TRUCE_WEBHOOK_KEEP"
	envWebhookKeepLast = "TRUCE_WEBHOOK_KEEP_LAST"
)

// webhookConfig is how the server registers and delivers webhooks.
type webhookConfig struct {
	// AllowPrivate lets webhooks name and reach private, loopback and
	// link-local addresses: for receivers on the server's own network.
	// Off, such a URL is refused when registered and every connection to
	// such an address when delivering (see webhook.Refused).
	AllowPrivate bool
	// Keep and KeepLast bound the record of delivery attempts: older
	// than Keep, or beyond the KeepLast latest of a webhook, they are
	// deleted. 0 keeps them all.
	Keep     time.Duration
	KeepLast int
}

// webhookFlags registers the webhook flags of a serving command.
func webhookFlags(fs *flag.FlagSet, cfg *Config) {
	fs.BoolVar(&cfg.Webhooks.AllowPrivate, "webhook-allow-private", false, "let webhooks reach private, loopback and link-local addresses\n(refused by default: 127.0.0.1, 10.0.0.0/8, 169.254.169.254, ...) (env "+envWebhookAllowPrivate+")")
	if v := os.Getenv(envWebhookAllowPrivate); v != "" {
		if err := fs.Set("webhook-allow-private", v); err != nil {
			cfg.envErr = truce.Invalid(envWebhookAllowPrivate, "%q is not true or false (1 or 0)", v)
		}
	}
	fs.DurationVar(&cfg.Webhooks.Keep, "webhook-keep", webhook.DefaultKeepFor, "delete webhook delivery attempts older than this; 0 keeps them (env "+envWebhookKeep+")")
	if v := os.Getenv(envWebhookKeep); v != "" {
		if err := fs.Set("webhook-keep", v); err != nil || cfg.Webhooks.Keep < 0 {
			cfg.envErr = truce.Invalid(envWebhookKeep, "%q is not a duration (e.g. 720h)", v)
		}
	}
	fs.IntVar(&cfg.Webhooks.KeepLast, "webhook-keep-last", webhook.DefaultKeepLast, "keep only this many latest delivery attempts of each webhook; 0 keeps all (env "+envWebhookKeepLast+")")
	if v := os.Getenv(envWebhookKeepLast); v != "" {
		if err := fs.Set("webhook-keep-last", v); err != nil || cfg.Webhooks.KeepLast < 0 {
			cfg.envErr = truce.Invalid(envWebhookKeepLast, "%q is not a whole number", v)
		}
	}
}

// unlimited maps the flags' 0, "no limit", to the worker's negative.
func unlimited[T int | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// runWebhooks delivers events to the webhooks until ctx ends, on the one
// node of a cluster that holds the "webhooks" lease.
func (s *server) runWebhooks(ctx context.Context) {
	c := s.cfg.Webhooks
	w := webhook.New(webhook.Config{DB: s.db, Logger: s.logger, AllowPrivate: c.AllowPrivate,
		KeepFor: unlimited(c.Keep), KeepLast: unlimited(c.KeepLast)})
	s.db.Lead(ctx, "webhooks", w.Run)
}

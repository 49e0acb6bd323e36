package main

import (
	"context"
	"flag"
	"os"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/webhook"
)

// envWebhookAllowPrivate lets webhooks reach private, loopback and
// link-local addresses ("1" or "true").
const envWebhookAllowPrivate = "TRUCE_WEBHOOK_ALLOW_PRIVATE"

// webhookConfig is how the server registers and delivers webhooks.
type webhookConfig struct {
	// AllowPrivate lets webhooks name and reach private, loopback and
	// link-local addresses: for receivers on the server's own network.
	// Off, such a URL is refused when registered and every connection to
	// such an address when delivering (see webhook.Refused).
	AllowPrivate bool
}

// webhookFlags registers the webhook flags of a serving command.
func webhookFlags(fs *flag.FlagSet, cfg *Config) {
	fs.BoolVar(&cfg.Webhooks.AllowPrivate, "webhook-allow-private", false, "let webhooks reach private, loopback and link-local addresses\n(refused by default: 127.0.0.1, 10.0.0.0/8, 169.254.169.254, ...) (env "+envWebhookAllowPrivate+")")
	if v := os.Getenv(envWebhookAllowPrivate); v != "" {
		if err := fs.Set("webhook-allow-private", v); err != nil {
			cfg.envErr = truce.Invalid(envWebhookAllowPrivate, "%q is not true or false (1 or 0)", v)
		}
	}
}

// runWebhooks delivers events to the webhooks until ctx ends, on the one
// node of a cluster that holds the "webhooks" lease.
func (s *server) runWebhooks(ctx context.Context) {
	w := webhook.New(webhook.Config{DB: s.db, Logger: s.logger, AllowPrivate: s.cfg.Webhooks.AllowPrivate})
	s.db.Lead(ctx, "webhooks", w.Run)
}

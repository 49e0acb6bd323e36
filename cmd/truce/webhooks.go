package main

import (
	"context"

	"github.com/truce-monitor/truce/internal/webhook"
)

// runWebhooks delivers events to the webhooks until ctx ends, on the one
// node of a cluster that holds the "webhooks" lease.
func (s *server) runWebhooks(ctx context.Context) {
	s.db.Lead(ctx, "webhooks", webhook.New(webhook.Config{DB: s.db, Logger: s.logger}).Run)
}

// Package httpapi is Truce's HTTP interface: the JSON API under /api/v1,
// the health check and, for now, a plain start page. Every route is
// registered in routes.go; error codes map to HTTP status in error.go.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
)

// Config is what the API needs from the program that wires it.
type Config struct {
	DB        *store.DB
	Gazetteer *geo.Gazetteer
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Version is shown on the start page.
	Version string
	// Log serves the public log API under /api/v1/log/ (ledger.Handler);
	// nil leaves those paths unrouted.
	Log http.Handler
	// Web serves the web UI (internal/web) for GET and HEAD of every path
	// outside /api/ that no other route takes; nil keeps the plain start
	// page and JSON 404s everywhere.
	Web http.Handler
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (see proxy.go); none by default.
	TrustedProxies []netip.Prefix
	// LoginLimits bound failed sign-ins; zero means DefaultLoginLimits.
	LoginLimits LoginLimits
	// StreamLimits bound the open event streams; zero fields take
	// DefaultStreamLimits' (feed_stream.go).
	StreamLimits StreamLimits
	// WebhookAllowPrivate lets admins register webhooks on private,
	// loopback and link-local addresses (see webhook.CheckURL); off by
	// default.
	WebhookAllowPrivate bool
}

// Server holds the API's dependencies. It is safe for concurrent use.
type Server struct {
	db      *store.DB
	gz      *geo.Gazetteer
	logger  *slog.Logger
	now     func() time.Time
	version string
	log     http.Handler
	web     http.Handler
	mux     *http.ServeMux
	// matrix lists every route registered through handle with its policy.
	matrix               []routePolicy
	proxies              []netip.Prefix
	userLimit, addrLimit *auth.Limiter
	grouperOnce          grouperOnce
	stats                statsCache
	// docs describes each route of matrix, by pattern (see describe).
	docs    map[string]op
	streams streamCloser // ends the event streams at shutdown (feed_stream.go)
	// webhookAllowPrivate is Config.WebhookAllowPrivate.
	webhookAllowPrivate bool
}

// New returns a server for cfg with every route registered.
func New(cfg Config) *Server {
	s := &Server{
		db:      cfg.DB,
		gz:      cfg.Gazetteer,
		logger:  cfg.Logger,
		now:     cfg.Now,
		version: cfg.Version,
		log:     cfg.Log,
		web:     cfg.Web,
		mux:     http.NewServeMux(),
		docs:    map[string]op{},
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.proxies = cfg.TrustedProxies
	s.webhookAllowPrivate = cfg.WebhookAllowPrivate
	s.streams.limits = cfg.StreamLimits
	if s.streams.limits.PerServer <= 0 {
		s.streams.limits.PerServer = DefaultStreamLimits.PerServer
	}
	if s.streams.limits.PerClient <= 0 {
		s.streams.limits.PerClient = DefaultStreamLimits.PerClient
	}
	lim := cfg.LoginLimits
	if lim == (LoginLimits{}) {
		lim = DefaultLoginLimits
	}
	s.userLimit = auth.NewLimiter(lim.PerUser, lim.Window, s.now)
	s.addrLimit = auth.NewLimiter(lim.PerAddr, lim.Window, s.now)
	s.routes()
	return s
}

// Handler returns the root handler: the routes behind request logging and
// panic recovery.
func (s *Server) Handler() http.Handler {
	return s.logRequests(s.recoverPanics(s.mux))
}

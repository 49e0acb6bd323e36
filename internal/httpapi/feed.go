package httpapi

import (
	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// feedRoutes registers the live event stream, webhooks and exports.
func (s *Server) feedRoutes() {
	s.handle("GET /api/v1/stream", anyone, s.handleStream)
	s.handle("GET /api/v1/export/incidents.csv", anyone, s.handleExport("csv"))
	s.handle("GET /api/v1/export/incidents.geojson", anyone, s.handleExport("geojson"))
	s.handle("GET /api/v1/export/incidents.ndjson", anyone, s.handleExport("ndjson"))
	s.handle("POST /api/v1/webhooks", adminOnly, s.handleCreateWebhook)
	s.handle("GET /api/v1/webhooks", adminOnly, s.handleWebhooks)
	s.handle("GET /api/v1/webhooks/{id}", adminOnly, s.handleWebhook)
	s.handle("DELETE /api/v1/webhooks/{id}", adminOnly, s.handleDeleteWebhook)
	s.handle("GET /api/v1/webhooks/{id}/deliveries", adminOnly, s.handleDeliveries)
	s.describeAll(feedDocs)
}

// incidentFilterParams are the filters of GET /incidents that the exports
// take too.
var incidentFilterParams = []param{
	{Name: "status", Enum: []string{"alleged", "corroborated", "verified", "disputed", "rejected"}, Description: "the public sees only verified incidents"},
	{Name: "from", Format: "date-time", Description: "incidents whose interval ends after this instant"},
	{Name: "to", Format: "date-time", Description: "incidents whose interval starts before this instant"},
	{Name: "bbox", Description: "west,south,east,north in degrees (the incident's centre); west > east crosses the antimeridian"},
	{Name: "party", Description: "a party code: incidents with a report naming it among the perpetrators"},
	{Name: "agreement", Description: "an agreement id: incidents judged a violation of it or uncertain"},
}

var feedDocs = map[string]op{
	"GET /api/v1/stream": {
		Summary: "Live stream of events (Server-Sent Events)",
		Description: "Events as the tamper-evident log records them: report, reports (a bulk import), incidents (grouping), " +
			"transition, reply, finding, claim, agreement, agreement_status, alert. Each event's id is its leaf index and its data " +
			"is JSON {index, kind, record_id, at, record[, incident]}. Reconnect with the Last-Event-ID header (browsers do) or " +
			"?after=N to resume exactly after leaf N; ?after=-1 replays from the start; without either the stream starts at the " +
			"log's end. The public receives no reports and no person's name: only agreements (status changes without the admin's name), " +
			"claims (without recorded_by), transitions to and from verified (with the incident, without the monitor's name) and " +
			"findings on verified incidents. A liaison receives the names of its own party's people only: a report's submitted_by " +
			"for its own party's reports (source.party), a reply's by for its own party's replies, no monitor's or admin's name. A comment line " +
			"is sent every 15 s of quiet. Open streams are bounded per server (default 256: beyond, 503 unavailable) and per " +
			"client address (default 16: beyond, 429), each with Retry-After; a server shutting down ends its streams and " +
			"answers new ones 503 with Retry-After.",
		Params: []param{
			{Name: "after", Type: "integer", Description: "resume after this leaf index (-1: from the start)"},
			{Name: "kinds", Description: "comma-separated event kinds to receive (default all)"},
		},
		ContentType: "text/event-stream",
	},
	"GET /api/v1/export/incidents.csv": {
		Summary: "Export incidents as CSV (streamed)",
		Description: "One row per incident, with the filters of GET /incidents. Text cells that begin with = + - @, a tab or " +
			"a carriage return get a leading apostrophe, so that no cell runs as a formula in a spreadsheet.",
		Params:      incidentFilterParams,
		ContentType: "text/csv",
	},
	"GET /api/v1/export/incidents.geojson": {
		Summary:     "Export incidents as a GeoJSON FeatureCollection (streamed)",
		Description: "One Point feature per incident at its centre, the incident's fields as properties (RFC 7946).",
		Params:      incidentFilterParams,
		ContentType: "application/geo+json",
	},
	"GET /api/v1/export/incidents.ndjson": {
		Summary:     "Export incidents as newline-delimited JSON (streamed)",
		Description: "One incident per line.",
		Params:      incidentFilterParams,
		Response:    truce.Incident{},
		ContentType: "application/x-ndjson",
	},
	"POST /api/v1/webhooks": {
		Summary: "Register a webhook (admin)",
		Description: "The webhook receives, from now on, a POST of each event of the kinds it asks for (all if none), with " +
			"the same JSON as the stream's data and the headers X-Truce-Event (the kind), X-Truce-Delivery (the event id, the " +
			"same on every retry), X-Truce-Timestamp (Unix seconds) and X-Truce-Signature: sha256= and the hex HMAC-SHA256, " +
			"keyed with the secret, of the timestamp, a full stop and the raw body. A receiver recomputes it, compares in " +
			"constant time and refuses old timestamps. Any 2xx is success; anything else is retried with exponential backoff " +
			"(1 s doubling, 10 tries), each attempt recorded. The url must be http or https, and must not name or resolve to a " +
			"private, loopback or link-local address (such as 127.0.0.1, 10.0.0.0/8 or the metadata service at 169.254.169.254) " +
			"unless the server allows it (TRUCE_WEBHOOK_ALLOW_PRIVATE); connections are checked again on every delivery. The secret is returned only here; " +
			"without one the server makes a random one.",
		Body:     webhookRequest{},
		Response: webhookCreated{},
		Status:   201,
	},
	"GET /api/v1/webhooks":         {Summary: "List webhooks, without their secrets (admin)", Paged: true, Response: webhooksJSON{}},
	"GET /api/v1/webhooks/{id}":    {Summary: "One webhook, without its secret (admin)", Response: store.Webhook{}},
	"DELETE /api/v1/webhooks/{id}": {Summary: "Deactivate a webhook; its deliveries stay on record (admin)", Status: 204},
	"GET /api/v1/webhooks/{id}/deliveries": {Summary: "A webhook's delivery attempts, oldest first (admin)", Paged: true, Response: deliveriesJSON{},
		Description: "Attempts are kept 30 days, at most the latest 10,000 of each webhook, unless the server is configured otherwise (TRUCE_WEBHOOK_KEEP, TRUCE_WEBHOOK_KEEP_LAST)."},
}

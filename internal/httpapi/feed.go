package httpapi

import "github.com/truce-monitor/truce"

// feedRoutes registers the live event stream, webhooks and exports.
func (s *Server) feedRoutes() {
	s.handle("GET /api/v1/stream", anyone, s.handleStream)
	s.handle("GET /api/v1/export/incidents.csv", anyone, s.handleExport("csv"))
	s.handle("GET /api/v1/export/incidents.geojson", anyone, s.handleExport("geojson"))
	s.handle("GET /api/v1/export/incidents.ndjson", anyone, s.handleExport("ndjson"))
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
			"log's end. The public receives no reports and no reporter identities: only agreements, claims, transitions to and " +
			"from verified (with the incident, without the monitor's name) and findings on verified incidents. A comment line " +
			"is sent every 15 s of quiet.",
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
}

package httpapi

import (
	"html/template"
	"net/http"
)

// indexPage is the start page until the web UI lands: it says the server
// runs and links to the API. It loads nothing from elsewhere, so it works
// offline.
var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Truce</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1d2433; }
h1 { margin-bottom: 0; }
p.sub { margin-top: 0; color: #5a6275; }
code { background: #eef0f4; padding: 0 .25em; border-radius: 3px; }
</style>
</head>
<body>
<h1>Truce</h1>
<p class="sub">Ceasefire monitoring{{with .Version}} · {{.}}{{end}}</p>
<p>Truce is running. The web interface is not built yet; the JSON API is
described at <a href="/api/docs">/api/docs</a> and, as OpenAPI 3.1, at
<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>. A few of its reads:</p>
<ul>
<li><a href="/api/v1/agreements"><code>GET /api/v1/agreements</code></a>: agreements, latest versions, windows in their own zone and in UTC</li>
<li><code>GET /api/v1/agreements/{id}</code>: one agreement with its versions and status history</li>
<li><a href="/api/v1/parties"><code>GET /api/v1/parties</code></a>: parties and their actor aliases</li>
<li><a href="/healthz"><code>GET /healthz</code></a>: health check</li>
</ul>
</body>
</html>
`))

// handleIndex serves the start page.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := indexPage.Execute(w, struct{ Version string }{s.version}); err != nil {
		s.logger.DebugContext(r.Context(), "write index", "err", err)
	}
}

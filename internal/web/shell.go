package web

import (
	"bytes"
	"html/template"
	"net/http"
)

// shellPage is the one HTML document of the UI. The router in app.js
// renders the page for the path; the server only lists the page modules
// and preloads them so that the first paint waits for no round trip more.
var shellPage = template.Must(template.New("shell").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Truce</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
{{- if .Vendor}}
<link rel="stylesheet" href="/static/vendor/leaflet.css">
<link rel="stylesheet" href="/static/vendor/uPlot.min.css">
<script src="/static/vendor/leaflet.js" defer></script>
<script src="/static/vendor/uPlot.iife.min.js" defer></script>
{{- end}}
<link rel="stylesheet" href="/static/style.css">
<link rel="modulepreload" href="/static/app.js">
{{- range .Pages}}
<link rel="modulepreload" href="/static/pages/{{.}}">
{{- end}}
<script type="application/json" id="truce-config">{{.Config}}</script>
<script type="module" src="/static/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Truce</a>
  <nav id="nav" aria-label="Main"></nav>
  <div id="who" class="who"></div>
</header>
{{- if not .Vendor}}
<p class="banner" role="alert">The map and chart libraries were not built into this binary (run <code>make web</code>); maps and charts are unavailable.</p>
{{- end}}
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<footer class="foot">{{.Version}} · works offline · <a href="/api/docs">API documentation</a> · <a href="/api/v1/openapi.json">OpenAPI</a></footer>
</body>
</html>
`))

// shellConfig is handed to app.js in the page.
type shellConfig struct {
	Pages   []string `json:"pages"`
	Vendor  bool     `json:"vendor"`
	Version string   `json:"version"`
}

func (h *Handler) serveShell(w http.ResponseWriter, r *http.Request) {
	vendor := len(h.assets.missingVendor()) == 0
	var buf bytes.Buffer
	err := shellPage.Execute(&buf, map[string]any{
		"Pages":   h.assets.pages,
		"Vendor":  vendor,
		"Version": h.version,
		"Config":  shellConfig{Pages: h.assets.pages, Vendor: vendor, Version: h.version},
	})
	if err != nil {
		h.logger.Error("web UI: render shell", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	// Everything comes from this server: a page that tried to reach
	// another host would be blocked by the browser too.
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	w.Write(buf.Bytes())
}

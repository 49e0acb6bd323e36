// Package web is Truce's web UI: a single HTML shell, plain ES modules and
// vendored browser libraries, all embedded, served by the same binary as
// the API and working with no internet (no CDN, fonts or tile server).
//
// Page structure, for whoever adds a page:
//
//   - static/app.js is the shell's code: the router, the navigation, the
//     signed-in user, and the helpers every page uses (api, el, fmt...).
//   - static/pages/NAME.js is one page: an ES module whose default export
//     is {path, title, nav, render}. path is a route such as
//     "/agreements/:id"; nav, when set, is {label, order, roles} and puts
//     the page in the navigation (roles, when given, limits it to those
//     signed-in roles); render(main, params, app) fills main and may
//     return a function that undoes timers and streams when the page is
//     left. See pages/log.js for a small example.
//   - Adding a page is adding its file: the server lists static/pages/*.js
//     into the shell, so no shared list needs editing.
//   - static/map.js draws the offline basemap (GET /geo/basemap.json, built
//     here from internal/geo) with agreement areas and incident layers.
//     static/map-keyboard.js makes its incidents reachable by keyboard and
//     screen reader (the keys are listed at the top of that file), naming
//     places with static/map-place.js from the same basemap.
//   - static/dashboard-worker.js and static/cluster-worker.js are module
//     workers: the dashboard's incidents are read, filtered and counted in
//     the first and clustered for the map in the second, so that a large
//     mission never blocks the page (worker-client.js and worker-serve.js
//     are their request/reply channel; tally.js and http.js are the
//     DOM-free code the page and the workers share).
//   - static/vendor/ holds Leaflet, supercluster and uPlot, copied from
//     the npm project in web/ by `make web`; when they are missing the UI
//     still loads, without maps and charts, and the server logs a warning.
//
// The pages only call the JSON API under /api/v1; this package serves no
// data of its own except the basemap.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/truce-monitor/truce/internal/geo"
)

// Config is what the web UI needs from the program that wires it.
type Config struct {
	Gazetteer *geo.Gazetteer
	Logger    *slog.Logger
	// Version is shown in the page footer.
	Version string
}

// Handler serves the UI's pages, assets and basemap. It is safe for
// concurrent use.
type Handler struct {
	gz      *geo.Gazetteer
	logger  *slog.Logger
	version string
	assets  *assets

	basemapOnce sync.Once
	basemap     *asset
	basemapErr  error
}

// New returns the UI handler. It logs a warning when the vendored
// libraries are missing (the UI then works without maps and charts).
func New(cfg Config) *Handler {
	return newHandler(cfg, static)
}

func newHandler(cfg Config, files fs.FS) *Handler {
	h := &Handler{gz: cfg.Gazetteer, logger: cfg.Logger, version: cfg.Version}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	a, err := loadAssets(files)
	if err != nil {
		// The files are compiled in: failing to read them is a broken build.
		panic(err)
	}
	h.assets = a
	if missing := a.missingVendor(); len(missing) > 0 {
		h.logger.Warn("web UI: vendored browser libraries are missing, maps and charts will not work; run `make web` (npm ci in web/) and rebuild",
			"missing", strings.Join(missing, ", "))
	}
	if h.gz != nil {
		go h.loadBasemap()
	}
	return h
}

// ServeHTTP routes GET and HEAD: /static/... to the embedded assets,
// /geo/basemap.json to the boundaries, and every other path to the shell,
// whose router picks the page (an unknown path shows "not found" there).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/static/"):
		a := h.assets.files[strings.TrimPrefix(p, "/static/")]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		a.serve(w, r, "no-cache")
	case p == "/geo/basemap.json":
		h.serveBasemap(w, r)
	case p == "/favicon.ico":
		h.assets.files["favicon.svg"].serve(w, r, "max-age=86400")
	default:
		h.serveShell(w, r)
	}
}

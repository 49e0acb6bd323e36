package web

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/truce-monitor/truce/internal/geo"
)

func newTestHandler(t *testing.T) *Handler {
	t.Helper()
	gz, err := geo.Default()
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Gazetteer: gz, Version: "test"})
}

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

// TestShell checks that every page path gets the shell listing each page
// module, and that the shell loads nothing from another origin.
func TestShell(t *testing.T) {
	h := newTestHandler(t)
	for _, path := range []string{"/", "/agreements/victory-day-truce-2025", "/queue", "/no/such/page"} {
		resp := get(t, h, path)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{`"pages":[`, `"agreement.js"`, `"log.js"`, `src="/static/app.js"`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("GET %s: shell lacks %s", path, want)
			}
		}
		if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") || strings.Contains(string(body), `src="//`) {
			t.Errorf("GET %s: shell names another origin:\n%s", path, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
	}
}

func TestStatic(t *testing.T) {
	h := newTestHandler(t)
	resp := get(t, h, "/static/app.js")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || resp.Header.Get("ETag") == "" {
		t.Fatalf("app.js: %d %q etag %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("ETag"))
	}
	// The workers' scripts carry their own policy: this server only.
	for _, w := range []string{"/static/dashboard-worker.js", "/static/cluster-worker.js"} {
		resp := get(t, h, w)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: %d %q CSP %q", w, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
		}
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/static/app.js", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("app.js with its ETag: %d, want 304", rec.Code)
	}
	if resp := get(t, h, "/static/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d, want 404", resp.StatusCode)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", rec.Code)
	}
}

// TestBasemap checks the boundaries: the world's countries and Ukraine's
// 27 admin-1 units (24 oblasts, Crimea, Kyiv and Sevastopol cities), as
// valid GeoJSON multipolygons within longitude and latitude bounds.
func TestBasemap(t *testing.T) {
	h := newTestHandler(t)
	resp := get(t, h, "/geo/basemap.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("basemap: %d", resp.StatusCode)
	}
	var fc struct {
		Type     string
		Features []struct {
			Properties struct{ Code, Name, Level string }
			Geometry   struct {
				Type        string
				Coordinates [][][][2]float64
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	codes := map[string]bool{}
	for _, f := range fc.Features {
		levels[f.Properties.Level]++
		codes[f.Properties.Code] = true
		if f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) == 0 {
			t.Fatalf("%s: geometry %s with %d polygons", f.Properties.Code, f.Geometry.Type, len(f.Geometry.Coordinates))
		}
		for _, poly := range f.Geometry.Coordinates {
			for _, ring := range poly {
				if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
					t.Fatalf("%s: ring of %d points, closed %v", f.Properties.Code, len(ring), ring[0] == ring[len(ring)-1])
				}
				for _, p := range ring {
					if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
						t.Fatalf("%s: position %v out of range", f.Properties.Code, p)
					}
				}
			}
		}
	}
	if levels["admin1"] != 27 {
		t.Errorf("admin-1 units: %d, want 27", levels["admin1"])
	}
	if levels["country"] < 200 {
		t.Errorf("countries: %d, want the world's (over 200)", levels["country"])
	}
	for _, c := range []string{"UA", "RU", "PL", "UA-14", "UA-43", "UA-30"} {
		if !codes[c] {
			t.Errorf("basemap lacks %s", c)
		}
	}
}

// TestMissingVendor builds the handler over the files a checkout has
// before `make web`: the UI's own files and the vendor directory's README.
// The shell must still load, say what is missing, and the server log it.
func TestMissingVendor(t *testing.T) {
	files := fstest.MapFS{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (strings.HasPrefix(p, "static/vendor/") && p != "static/vendor/README.md") {
			return err
		}
		b, err := static.ReadFile(p)
		files[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := newHandler(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, files)
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "make web") || !strings.Contains(logs.String(), "static/vendor/leaflet.js") {
		t.Errorf("no warning naming the missing files and `make web`:\n%s", logs.String())
	}
	resp := get(t, h, "/")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "make web") || strings.Contains(string(body), "vendor/leaflet.js") {
		t.Errorf("shell without the libraries: %d, want a notice and no script tag for them:\n%s", resp.StatusCode, body)
	}
	if resp := get(t, h, "/static/app.js"); resp.StatusCode != http.StatusOK {
		t.Errorf("app.js without the libraries: %d", resp.StatusCode)
	}
}

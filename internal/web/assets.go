package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// static holds the UI's own files and whatever `make web` vendored. The
// vendor directory always exists (its README is committed), so the build
// never depends on npm having run.
//
//go:embed static
var static embed.FS

// vendorFiles are the libraries `make web` copies in; the UI's pages
// degrade without them.
var vendorFiles = []string{"vendor/leaflet.js", "vendor/leaflet.css", "vendor/supercluster.min.js", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"}

// asset is one file ready to serve: its bytes, a gzip copy when that
// helps, and an ETag from its content.
type asset struct {
	name  string
	ctype string
	body  []byte
	gz    []byte
	etag  string
}

// assets are every embedded file by path under static/, and the page
// modules in name order.
type assets struct {
	files map[string]*asset
	pages []string
}

// loadAssets reads every file under static/ of fsys (the embedded files;
// tests pass others).
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		a.files[name] = newAsset(name, b)
		if dir, file := path.Split(name); dir == "pages/" && strings.HasSuffix(file, ".js") {
			a.pages = append(a.pages, file)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web assets: %w", err)
	}
	slices.Sort(a.pages)
	return a, nil
}

func newAsset(name string, b []byte) *asset {
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js", ".mjs":
		ctype = "text/javascript; charset=utf-8"
	case ".json":
		ctype = "application/json"
	case ".svg":
		ctype = "image/svg+xml"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	sum := sha256.Sum256(b)
	a := &asset{name: name, ctype: ctype, body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if len(b) > 1024 && !strings.HasPrefix(ctype, "image/png") {
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		if z.Len() < len(b)*9/10 {
			a.gz = z.Bytes()
		}
	}
	return a
}

// workerPolicy is the Content-Security-Policy of every asset; it matters
// for the scripts run as workers (static/*-worker.js), which may load
// scripts from and connect to this server only.
const workerPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'"

func (a *assets) missingVendor() []string {
	var missing []string
	for _, f := range vendorFiles {
		if a.files[f] == nil {
			missing = append(missing, "static/"+f)
		}
	}
	return missing
}

// serve writes the asset with its ETag (so that a reload costs a 304),
// gzipped when the client accepts it.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	// A worker's script brings its own policy (the shell's does not reach
	// it): the dashboard's workers fetch from this server only.
	h.Set("Content-Security-Policy", workerPolicy)
	h.Set("Vary", "Accept-Encoding")
	body := a.body
	etag := a.etag
	if a.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
		etag = strings.TrimSuffix(a.etag, `"`) + `-gz"`
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

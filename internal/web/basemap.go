package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Simplification tolerances in degrees. Countries near the theatre are
// drawn at 0.02° (about 2 km), which loses nothing visible at country
// scale; the rest of the world, seen only zoomed out, at 0.1°; the oblasts
// are looked at closer. This keeps the basemap near 100 KB gzipped.
const (
	nearTolerance   = 0.02
	farTolerance    = 0.1
	admin1Tolerance = 0.005
	// Coordinates are rounded to a tenth of the tolerance (about 100 m near
	// the theatre, 1 km elsewhere), which shrinks the JSON by half.
	nearDigits = 1000
	farDigits  = 100
)

// serveBasemap serves every country and Ukraine's oblasts as one GeoJSON
// FeatureCollection, built on first request and then kept: properties
// code (ISO 3166-1 alpha-2 or ISO 3166-2), name and level ("country" or
// "admin1"). It is the map's only background, so the UI needs no tile
// server.
func (h *Handler) serveBasemap(w http.ResponseWriter, r *http.Request) {
	h.loadBasemap()
	if h.basemap == nil {
		http.Error(w, "basemap unavailable: "+fmt.Sprint(h.basemapErr), http.StatusInternalServerError)
		return
	}
	h.basemap.serve(w, r, "max-age=3600")
}

// loadBasemap builds the basemap once; New starts it in the background so
// that the first visitor does not wait the second it takes.
func (h *Handler) loadBasemap() {
	h.basemapOnce.Do(func() {
		b, err := h.buildBasemap()
		if err != nil {
			h.basemapErr = err
			h.logger.Error("web UI: build basemap", "err", err)
			return
		}
		h.basemap = newAsset("basemap.json", b)
	})
}

// theatre is Europe east of the Alps to the Caucasus: where the missions
// Truce ships with look closely.
var theatre = orb.Bound{Min: orb.Point{12, 36}, Max: orb.Point{50, 60}}

func (h *Handler) buildBasemap() ([]byte, error) {
	if h.gz == nil {
		return nil, fmt.Errorf("no gazetteer")
	}
	fc := featureCollection{Type: "FeatureCollection", Features: []feature{}}
	add := func(code, name, level string, mp orb.MultiPolygon, tol float64, digits int) {
		mp = simplifyMulti(mp, tol)
		if len(mp) == 0 {
			return
		}
		fc.Features = append(fc.Features, feature{
			Type:       "Feature",
			Properties: properties{Code: code, Name: name, Level: level},
			Geometry:   geometry{Type: "MultiPolygon", Coordinates: orb.Round(mp, digits).(orb.MultiPolygon)},
		})
	}
	for _, code := range h.gz.Countries() {
		if mp, ok := h.gz.CountryGeometry(code); ok {
			tol, digits := farTolerance, farDigits
			if mp.Bound().Intersects(theatre) {
				tol, digits = nearTolerance, nearDigits
			}
			add(code, h.gz.CountryName(code), "country", mp, tol, digits)
		}
	}
	for _, code := range h.gz.Admin1Units() {
		if mp, ok := h.gz.Admin1Geometry(code); ok {
			add(code, h.gz.Admin1Name(code), "admin1", mp, admin1Tolerance, nearDigits)
		}
	}
	return json.Marshal(fc)
}

// simplifyMulti simplifies every ring and drops rings that collapse to
// fewer than four positions (tiny islands, thin slivers).
func simplifyMulti(mp orb.MultiPolygon, tol float64) orb.MultiPolygon {
	dp := simplify.DouglasPeucker(tol)
	var out orb.MultiPolygon
	for _, poly := range mp {
		var p orb.Polygon
		for i, ring := range poly {
			s := dp.Ring(ring.Clone())
			if len(s) < 4 {
				if i == 0 {
					break // the outer ring is gone, so are its holes
				}
				continue
			}
			p = append(p, s)
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// The GeoJSON written: orb's MultiPolygon marshals as nested arrays of
// [lon, lat], which is GeoJSON's coordinates.
type (
	featureCollection struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}
	feature struct {
		Type       string     `json:"type"`
		Properties properties `json:"properties"`
		Geometry   geometry   `json:"geometry"`
	}
	properties struct {
		Code  string `json:"code"`
		Name  string `json:"name"`
		Level string `json:"level"`
	}
	geometry struct {
		Type        string           `json:"type"`
		Coordinates orb.MultiPolygon `json:"coordinates"`
	}
)

package geo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// GeoJSONError reports area GeoJSON that is not a valid Polygon,
// MultiPolygon, Feature or FeatureCollection of them.
type GeoJSONError struct{ Msg string }

func (e *GeoJSONError) Error() string { return "area.geojson: " + e.Msg }

func geojsonErr(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &GeoJSONError{Msg: msg}
}

// What a GeoJSON object may be where it occurs.
const (
	allowTop        = iota // a geometry, a Feature or a FeatureCollection
	allowFeature           // a Feature (in a FeatureCollection)
	allowGeometry          // a Polygon or MultiPolygon (a Feature's geometry)
	allowedTopTypes = "Polygon, MultiPolygon, Feature or FeatureCollection"
)

// parseAreaGeoJSON reads an area's geojson. Empty input and null mean none.
// Rings must be closed, have at least four positions, enclose some area and
// stay within longitude [-180, 180] and latitude [-90, 90]; a third number
// in a position (altitude) is ignored. A polygon's holes are not checked
// against its outer ring: membership is the even-odd rule over its rings.
func parseAreaGeoJSON(b []byte) ([]polygon, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		return nil, geojsonErr("", "invalid JSON: %v", err)
	}
	var polys []polygon
	if err := readGeoJSON(b, "", allowTop, &polys); err != nil {
		return nil, err
	}
	return polys, nil
}

func readGeoJSON(raw json.RawMessage, path string, allow int, out *[]polygon) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return geojsonErr(path, "not a GeoJSON object")
	}
	var typ string
	if t, ok := obj["type"]; !ok {
		return geojsonErr(path, `missing "type"`)
	} else if err := json.Unmarshal(t, &typ); err != nil {
		return geojsonErr(path, `"type" is not a string`)
	}
	at := func(member string) string {
		if path == "" {
			return member
		}
		return path + "." + member
	}
	switch {
	case typ == "Polygon" && allow != allowFeature:
		var c [][][]float64
		if err := coordinates(obj, &c); err != nil {
			return geojsonErr(at("coordinates"), "%v", err)
		}
		p, err := toPolygon(c, at("coordinates"))
		if err != nil {
			return err
		}
		*out = append(*out, p)
	case typ == "MultiPolygon" && allow != allowFeature:
		var c [][][][]float64
		if err := coordinates(obj, &c); err != nil {
			return geojsonErr(at("coordinates"), "%v", err)
		}
		if len(c) == 0 {
			return geojsonErr(at("coordinates"), "MultiPolygon has no polygons")
		}
		for i, pc := range c {
			p, err := toPolygon(pc, fmt.Sprintf("%s[%d]", at("coordinates"), i))
			if err != nil {
				return err
			}
			*out = append(*out, p)
		}
	case typ == "Feature" && allow != allowGeometry:
		g, ok := obj["geometry"]
		if !ok || string(bytes.TrimSpace(g)) == "null" {
			return geojsonErr(at("geometry"), "a Feature needs a Polygon or MultiPolygon geometry")
		}
		return readGeoJSON(g, at("geometry"), allowGeometry, out)
	case typ == "FeatureCollection" && allow == allowTop:
		var fs []json.RawMessage
		if f, ok := obj["features"]; !ok {
			return geojsonErr(at("features"), "missing")
		} else if err := json.Unmarshal(f, &fs); err != nil {
			return geojsonErr(at("features"), "not an array")
		}
		if len(fs) == 0 {
			return geojsonErr(at("features"), "FeatureCollection has no features")
		}
		for i, f := range fs {
			if err := readGeoJSON(f, fmt.Sprintf("%s[%d]", at("features"), i), allowFeature, out); err != nil {
				return err
			}
		}
	default:
		want := allowedTopTypes
		switch allow {
		case allowFeature:
			want = "Feature"
		case allowGeometry:
			want = "Polygon or MultiPolygon"
		}
		return geojsonErr(at("type"), "%q is not a %s", typ, want)
	}
	return nil
}

// coordinates decodes the "coordinates" member into v.
func coordinates(obj map[string]json.RawMessage, v any) error {
	c, ok := obj["coordinates"]
	if !ok || string(bytes.TrimSpace(c)) == "null" {
		return fmt.Errorf("missing")
	}
	if err := json.Unmarshal(c, v); err != nil {
		return fmt.Errorf("not arrays of [longitude, latitude] positions nested as the type requires")
	}
	return nil
}

func toPolygon(rings [][][]float64, path string) (polygon, error) {
	if len(rings) == 0 {
		return nil, geojsonErr(path, "polygon has no rings")
	}
	p := make(polygon, len(rings))
	for i, r := range rings {
		rp := fmt.Sprintf("%s[%d]", path, i)
		if len(r) < 4 {
			return nil, geojsonErr(rp, "ring has %d positions; a closed ring needs at least 4", len(r))
		}
		pts := make([]pt, len(r))
		for j, q := range r {
			if len(q) < 2 {
				return nil, geojsonErr(fmt.Sprintf("%s[%d]", rp, j), "position needs longitude and latitude")
			}
			lon, lat := q[0], q[1]
			if !(lon >= -180 && lon <= 180) {
				return nil, geojsonErr(fmt.Sprintf("%s[%d]", rp, j), "longitude %g out of range [-180, 180]", lon)
			}
			if !(lat >= -90 && lat <= 90) {
				return nil, geojsonErr(fmt.Sprintf("%s[%d]", rp, j), "latitude %g out of range [-90, 90]", lat)
			}
			pts[j] = pt{lon, lat}
		}
		if pts[0] != pts[len(pts)-1] {
			return nil, geojsonErr(rp, "ring is not closed: its last position differs from its first")
		}
		if shoelace(pts) == 0 {
			return nil, geojsonErr(rp, "ring encloses no area")
		}
		p[i] = ring{pts: pts}
	}
	return p, nil
}

// shoelace returns twice the signed area of a closed ring in degrees².
func shoelace(pts []pt) float64 {
	var s float64
	for i := 0; i+1 < len(pts); i++ {
		s += (pts[i].x-pts[0].x)*(pts[i+1].y-pts[0].y) - (pts[i+1].x-pts[0].x)*(pts[i].y-pts[0].y)
	}
	if math.IsNaN(s) {
		return 0
	}
	return s
}

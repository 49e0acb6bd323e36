package compliance

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// The map is drawn from the gazetteer's own boundaries (geoBoundaries
// admin-1 units, Natural Earth countries), as inline SVG with no external
// asset, in an equirectangular projection scaled by the cosine of the
// middle latitude. Coordinates are rounded to whole pixels and clamped
// just outside the frame, which keeps a country as large as Russia to a
// few hundred points, and keeps the output byte-stable.
const (
	mapWidth  = 640.0
	mapMargin = 0.6 // degrees around what is shown
)

// mapNeighbours are the countries drawn around Ukraine's units, in outline.
var mapNeighbours = []string{"BY", "HU", "MD", "PL", "RO", "RU", "SK"}

type projection struct {
	west, north, k, cos float64
	w, h                float64
}

func (p projection) xy(lon, lat float64) (int, int) {
	x := (lon - p.west) * p.k * p.cos
	y := (p.north - lat) * p.k
	x = math.Max(-5, math.Min(p.w+5, x))
	y = math.Max(-5, math.Min(p.h+5, y))
	return int(math.Round(x)), int(math.Round(y))
}

func (p projection) path(mp orb.MultiPolygon) string {
	var b strings.Builder
	for _, poly := range mp {
		for _, ring := range poly {
			lastX, lastY, n := math.MinInt, math.MinInt, 0
			for _, pt := range ring {
				x, y := p.xy(pt[0], pt[1])
				if x == lastX && y == lastY {
					continue
				}
				if n == 0 {
					b.WriteString("M")
				} else {
					b.WriteString("L")
				}
				b.WriteString(strconv.Itoa(x) + " " + strconv.Itoa(y))
				lastX, lastY = x, y
				n++
			}
			if n > 0 {
				b.WriteString("Z")
			}
		}
	}
	return b.String()
}

// mapSVG draws the agreement's area, the day's counted incidents by
// region (shade) and by place (dots: violations red, uncertain amber,
// verified ones ringed).
func (rep *Report) mapSVG() string {
	gz := rep.gz
	if gz == nil {
		return ""
	}
	inArea := map[string]bool{}
	for _, c := range rep.area {
		inArea[strings.ToUpper(c)] = true
	}
	// The frame: the day's places and the area's units; Ukraine when
	// there are neither.
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	extend := func(o orb.Bound) { b = b.Union(o) }
	empty := true
	for _, p := range rep.Places {
		if p.Lat == 0 && p.Lon == 0 {
			continue
		}
		extend(orb.Bound{Min: orb.Point{p.Lon, p.Lat}, Max: orb.Point{p.Lon, p.Lat}})
		empty = false
	}
	units := gz.Admin1Units()
	for _, u := range units {
		if inArea[u] {
			if g, ok := gz.Admin1Geometry(u); ok {
				extend(g.Bound())
				empty = false
			}
		}
	}
	if empty || b.Max[0]-b.Min[0] > 40 {
		if g, ok := gz.CountryGeometry("UA"); ok {
			b = g.Bound()
		}
		for _, p := range rep.Places {
			if p.Lat != 0 || p.Lon != 0 {
				b = b.Extend(orb.Point{p.Lon, p.Lat})
			}
		}
	}
	b = b.Pad(mapMargin)
	// At least 10° by 6°, so that a day of a few nearby incidents still
	// shows where they are.
	if w := b.Max[0] - b.Min[0]; w < 10 {
		b.Min[0], b.Max[0] = b.Min[0]-(10-w)/2, b.Max[0]+(10-w)/2
	}
	if h := b.Max[1] - b.Min[1]; h < 6 {
		b.Min[1], b.Max[1] = b.Min[1]-(6-h)/2, b.Max[1]+(6-h)/2
	}
	mid := (b.Min[1] + b.Max[1]) / 2 * math.Pi / 180
	cos := math.Cos(mid)
	k := mapWidth / ((b.Max[0] - b.Min[0]) * cos)
	h := math.Round((b.Max[1] - b.Min[1]) * k)
	if h > 560 { // a tall frame: scale to the height instead
		k = 560 / (b.Max[1] - b.Min[1])
		h = 560
	}
	w := math.Round((b.Max[0] - b.Min[0]) * k * cos)
	p := projection{west: b.Min[0], north: b.Max[1], k: k, cos: cos, w: w, h: h}

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Map of the day's incidents">`, int(w), int(h), int(w), int(h))
	s.WriteString(`<rect width="100%" height="100%" fill="#eef3f7"/>`)
	for _, cc := range mapNeighbours {
		g, ok := gz.CountryGeometry(cc)
		if !ok || !g.Bound().Intersects(b) {
			continue
		}
		fill := "#f4f4f1"
		if inArea[cc] {
			fill = "#e4ecd9"
		}
		fmt.Fprintf(&s, `<path d="%s" fill="%s" stroke="#999" stroke-width="0.6"><title>%s</title></path>`, p.path(g), fill, html.EscapeString(gz.CountryName(cc)))
	}
	most := 0
	for _, n := range rep.region {
		most = max(most, n)
	}
	for _, u := range units {
		g, ok := gz.Admin1Geometry(u)
		if !ok || !g.Bound().Intersects(b) {
			continue
		}
		fill := "#fbfbf8"
		if inArea[u] || inArea[u[:2]] {
			fill = "#e4ecd9"
		}
		if n := rep.region[u]; n > 0 {
			// Shade by the day's count: light to darker blue, so that the
			// red and amber dots stand out.
			t := float64(n) / float64(most)
			fill = fmt.Sprintf("#%02x%02x%02x", 222-int(90*t), 233-int(70*t), 247-int(30*t))
		}
		stroke, sw := "#888", "0.6"
		if inArea[u] {
			stroke, sw = "#3b6e22", "1.4"
		}
		label := gz.Admin1Name(u) + " (" + u + ")"
		if n := rep.region[u]; n > 0 {
			label += ": " + strconv.Itoa(n) + " incidents"
		}
		fmt.Fprintf(&s, `<path d="%s" fill="%s" stroke="%s" stroke-width="%s"><title>%s</title></path>`, p.path(g), fill, stroke, sw, html.EscapeString(label))
	}
	places := slices.Clone(rep.Places)
	for _, pl := range places {
		if pl.Lat == 0 && pl.Lon == 0 {
			continue
		}
		x, y := p.xy(pl.Lon, pl.Lat)
		fill := "#c0392b"
		if pl.Verdict != "violation" {
			fill = "#e69b00"
		}
		ring := ""
		if pl.Status == "verified" {
			ring = ` stroke="#000" stroke-width="1.5"`
		}
		fmt.Fprintf(&s, `<circle cx="%d" cy="%d" r="5" fill="%s"%s><title>incident %d: %s, %s</title></circle>`, x, y, fill, ring, pl.ID, pl.Verdict, pl.Status)
	}
	fmt.Fprintf(&s, `<g font-size="11" font-family="sans-serif"><rect x="6" y="6" width="178" height="48" fill="#fff" opacity="0.85"/>`+
		`<circle cx="16" cy="18" r="4" fill="#c0392b"/><text x="26" y="22">violation</text>`+
		`<circle cx="96" cy="18" r="4" fill="#e69b00"/><text x="106" y="22">uncertain</text>`+
		`<circle cx="16" cy="38" r="4" fill="#fff" stroke="#000" stroke-width="1.5"/><text x="26" y="42">verified</text>`+
		`<rect x="92" y="33" width="10" height="10" fill="#e4ecd9" stroke="#3b6e22"/><text x="106" y="42">agreement area</text></g>`)
	s.WriteString(`</svg>`)
	return s.String()
}

// chartSVG draws the seven reporting days: violations and uncertain
// verdicts stacked, the range as a bracket, and the pre-truce baseline as
// a dashed line.
func (rep *Report) chartSVG() string {
	const w, h, left, bottom, top = 640, 240, 40, 40, 16
	base := rep.Summary.Baseline.Violation + rep.Summary.Baseline.Uncertain
	most := max(base, 1)
	for _, d := range rep.Series {
		most = max(most, d.Violation+d.Uncertain, d.High)
	}
	step := niceStep(most)
	most = (most + step - 1) / step * step
	plotH := float64(h - bottom - top)
	y := func(n int) int { return top + int(math.Round(plotH-float64(n)/float64(most)*plotH)) }
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="Incidents over the last seven reporting days" font-family="sans-serif" font-size="11">`, w, h, w, h)
	for n := 0; n <= most; n += step {
		fmt.Fprintf(&s, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#ddd"/><text x="%d" y="%d" text-anchor="end">%d</text>`, left, w-8, y(n), y(n), left-4, y(n)+4, n)
	}
	slot := (w - left - 8) / max(len(rep.Series), 1)
	for i, d := range rep.Series {
		x := left + i*slot + slot/4
		bw := slot / 2
		if d.Violation > 0 {
			fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%d" height="%d" fill="#c0392b"><title>%s: %d violation</title></rect>`, x, y(d.Violation), bw, y(0)-y(d.Violation), d.Date, d.Violation)
		}
		if d.Uncertain > 0 {
			top := d.Violation + d.Uncertain
			fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%d" height="%d" fill="#e69b00"><title>%s: %d uncertain</title></rect>`, x, y(top), bw, y(d.Violation)-y(top), d.Date, d.Uncertain)
		}
		cx := x + bw + 6
		// The range as a bracket: ticks at both ends show it even when
		// the bounds meet.
		fmt.Fprintf(&s, `<path d="M%d %dh8M%d %dV%dM%d %dh8" stroke="#000" stroke-width="2" fill="none"><title>%s: range %d–%d</title></path>`,
			cx-4, y(d.Low), cx, y(d.Low), y(d.High), cx-4, y(d.High), d.Date, d.Low, d.High)
		weight := ""
		if d.Date == rep.Date {
			weight = ` font-weight="bold"`
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="middle"%s>%s</text>`, x+bw/2, h-bottom+16, weight, d.Date[5:])
	}
	fmt.Fprintf(&s, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#1f5fa8" stroke-width="1.5" stroke-dasharray="6 4"><title>pre-truce baseline: %d</title></line>`, left, w-8, y(base), y(base), base)
	fmt.Fprintf(&s, `<g transform="translate(%d,%d)"><rect width="10" height="10" fill="#c0392b"/><text x="14" y="9">violation</text>`+
		`<rect x="80" width="10" height="10" fill="#e69b00"/><text x="94" y="9">uncertain</text>`+
		`<line x1="170" x2="170" y1="0" y2="10" stroke="#000" stroke-width="2"/><text x="176" y="9">range (verified – corroborated)</text>`+
		`<line x1="360" x2="384" y1="5" y2="5" stroke="#1f5fa8" stroke-dasharray="6 4"/><text x="390" y="9">pre-truce baseline</text></g>`, left, h-14)
	s.WriteString(`</svg>`)
	return s.String()
}

// niceStep picks a gridline step for a maximum.
func niceStep(most int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		if most/s <= 6 {
			return s
		}
	}
	return 10000
}

package geo

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// A Gazetteer holds the embedded boundaries: every country of Natural Earth
// 1:50m by ISO 3166-1 alpha-2 code, and Ukraine's admin-1 units by ISO
// 3166-2 code. It is immutable after Load and safe for concurrent use.
type Gazetteer struct {
	countries map[string]*place // by alpha-2
	units     map[string]*place // by ISO 3166-2
	ua, ru    *place

	countryTree rtree.RTreeG[*place] // boxes of every country polygon
	unitTree    rtree.RTreeG[*place]

	uaGeometry, ruGeometry func() orb.MultiPolygon
}

// A place is a country or admin-1 unit.
type place struct {
	code, name string
	polys      []polygon // as drawn by the source (for RU, without Crimea); nil for UA
	region     func() *region
}

// lazyRegion indexes polygons on first use, so that Load only parses.
// shared: the polygons come from several features that may share borders.
func lazyRegion(p *place, shared bool) func() *region {
	return sync.OnceValue(func() *region {
		segs := segsOf(p.polys)
		if shared {
			segs = cancelShared(segs)
		}
		return newParityRegion(segs)
	})
}

func fixed(r *region) func() *region { return func() *region { return r } }

// Load parses the embedded data and indexes UA. Other places are indexed
// on first use (safely for concurrent callers). Keep the result (see
// Default).
func Load() (*Gazetteer, error) {
	g := &Gazetteer{countries: map[string]*place{}, units: map[string]*place{}}
	// The two files decompress and parse in parallel.
	var topo []feature
	var topoErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		var b []byte
		if b, topoErr = readGzip(countriesFile); topoErr == nil {
			topo, topoErr = parseTopology(b)
		}
	})
	err := g.loadAdmin1()
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("geo: %s: %w", admin1File, err)
	}
	if topoErr != nil {
		return nil, fmt.Errorf("geo: %s: %w", countriesFile, topoErr)
	}
	if err := g.loadCountries(topo); err != nil {
		return nil, fmt.Errorf("geo: %s: %w", countriesFile, err)
	}
	return g, nil
}

// Default loads the gazetteer once and then returns the same one.
var Default = sync.OnceValues(Load)

func (g *Gazetteer) loadAdmin1() error {
	b, err := readGzip(admin1File)
	if err != nil {
		return err
	}
	fs, err := parseAdmin1(b)
	if err != nil {
		return err
	}
	var all []seg
	for _, f := range fs {
		if !strings.HasPrefix(f.code, "UA-") || g.units[f.code] != nil {
			return fmt.Errorf("unexpected or repeated code %q", f.code)
		}
		u := &place{code: f.code, name: f.name, polys: f.polys}
		u.region = lazyRegion(u, false)
		g.units[f.code] = u
		all = append(all, segsOf(f.polys)...)
		for _, p := range f.polys {
			b := polyBound(p)
			g.unitTree.Insert(b[0], b[1], u)
		}
	}
	if len(g.units) != 27 {
		return fmt.Errorf("%d admin-1 units, want 27", len(g.units))
	}
	// UA is the union of its units, which share their borders vertex for
	// vertex: cancelling the shared segments leaves the union's boundary.
	uaSegs := cancelShared(all)
	g.ua = &place{code: "UA", name: "Ukraine", region: fixed(newParityRegion(uaSegs))}
	g.countries["UA"] = g.ua
	g.uaGeometry = sync.OnceValue(func() orb.MultiPolygon { return assemble(uaSegs) })
	return nil
}

// polyBound returns a polygon's box as rtree corners.
func polyBound(p polygon) [2][2]float64 {
	b := [2][2]float64{{math.Inf(1), math.Inf(1)}, {math.Inf(-1), math.Inf(-1)}}
	for _, r := range p {
		for _, q := range r.pts {
			b[0] = [2]float64{min(b[0][0], q.x), min(b[0][1], q.y)}
			b[1] = [2]float64{max(b[1][0], q.x), max(b[1][1], q.y)}
		}
	}
	return b
}

// unnumbered maps Natural Earth features without an ISO 3166-1 numeric id
// to a code. "Indian Ocean Ter." is split into CX and CC by loadCountries;
// "Siachen Glacier", claimed by India and Pakistan, is left out of every
// country.
func unnumbered(name string) string {
	switch name {
	case "Kosovo":
		return "XK" // user-assigned code in common use (EU, IMF, CLDR)
	case "Somaliland":
		return "SO" // part of Somalia in ISO 3166
	case "N. Cyprus":
		return "CY" // part of Cyprus in ISO 3166
	}
	return ""
}

func (g *Gazetteer) loadCountries(fs []feature) error {
	var order []string
	merged := map[string]bool{} // codes drawn from several features
	add := func(code, name string, polys []polygon) {
		c := g.countries[code]
		if c == nil {
			c = &place{code: code, name: name}
			g.countries[code] = c
			order = append(order, code)
		} else {
			merged[code] = true
		}
		for _, p := range polys {
			c.polys = append(c.polys, cutAntimeridian(p)...)
		}
	}
	for _, f := range fs {
		code := alpha2(f.code)
		switch {
		case code == "UA":
			continue // UA comes from geoBoundaries
		case code != "":
		case f.name == "Indian Ocean Ter.":
			// Christmas Island lies east of 100°E, the Cocos Islands west.
			for _, p := range f.polys {
				if polyBound(p)[0][0] > 100 {
					add("CX", "Christmas I.", []polygon{p})
				} else {
					add("CC", "Cocos Is.", []polygon{p})
				}
			}
			continue
		case unnumbered(f.name) != "":
			code = unnumbered(f.name)
		case f.code == "" && f.name == "Siachen Glacier":
			continue
		default:
			return fmt.Errorf("feature %q has unknown id %q", f.name, f.code)
		}
		add(code, f.name, f.polys)
	}
	ru := g.countries["RU"]
	if ru == nil {
		return fmt.Errorf("no Russia")
	}
	for _, code := range order {
		c := g.countries[code]
		if c == ru {
			g.loadRussia(ru)
		} else {
			c.region = lazyRegion(c, merged[code])
		}
		for _, p := range c.polys {
			b := polyBound(p)
			g.countryTree.Insert(b[0], b[1], c)
		}
	}
	return nil
}

// loadRussia makes RU Natural Earth's Russia minus UA. Natural Earth draws
// Crimea and Sevastopol inside Russia. The difference is done in two steps:
//
//  1. Russia's polygons that lie mostly inside UA (Crimea) are dropped, so
//     its geometry for display no longer claims them.
//  2. Membership is "in what is left of Russia and not in UA", exactly; the
//     boundary for distances is computed by boundaryOf from both sets of
//     borders (where the two sources' land borders differ, RU ends at UA's
//     border, and Russia's own border still bounds it elsewhere).
//
// Step 2 runs on first use.
func (g *Gazetteer) loadRussia(ru *place) {
	ua := g.ua.region()
	var kept []polygon
	for _, p := range ru.polys {
		n := 0
		for _, q := range p[0].pts {
			if ua.contains(q.x, q.y) {
				n++
			}
		}
		if 2*n <= len(p[0].pts) {
			kept = append(kept, p)
		}
	}
	ru.polys = kept
	type built struct {
		reg  *region
		segs []seg
	}
	build := sync.OnceValue(func() built {
		neSegs := segsOf(kept)
		ne := newParityRegion(neSegs)
		in := func(x, y float64) bool { return ne.contains(x, y) && !ua.contains(x, y) }
		segs := boundaryOf([]*region{ne, ua}, in)
		return built{newPredRegion(segs, in), append(segs, seams(neSegs)...)}
	})
	ru.region = func() *region { return build().reg }
	g.ru = ru
	g.ruGeometry = sync.OnceValue(func() orb.MultiPolygon { return assemble(build().segs) })
}

// seams returns the artificial segments (cuts along the antimeridian) of
// segs, as boundary: a display geometry needs them to close its rings.
func seams(segs []seg) []seg {
	var out []seg
	for _, s := range segs {
		if s.flags&segDist == 0 {
			s.flags = segDist
			out = append(out, s)
		}
	}
	return out
}

// HasCountry reports whether alpha2 (any case) names a country.
func (g *Gazetteer) HasCountry(alpha2 string) bool {
	return g.countries[strings.ToUpper(alpha2)] != nil
}

// HasAdmin1 reports whether code (any case) names an admin-1 unit.
func (g *Gazetteer) HasAdmin1(iso3166_2 string) bool {
	return g.units[strings.ToUpper(iso3166_2)] != nil
}

// Countries returns every country code, sorted.
func (g *Gazetteer) Countries() []string { return sortedKeys(g.countries) }

// Admin1Units returns every admin-1 code, sorted.
func (g *Gazetteer) Admin1Units() []string { return sortedKeys(g.units) }

func sortedKeys(m map[string]*place) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CountryName returns a country's name as the data gives it, or "".
func (g *Gazetteer) CountryName(alpha2 string) string {
	if c := g.countries[strings.ToUpper(alpha2)]; c != nil {
		return c.name
	}
	return ""
}

// Admin1Name returns an admin-1 unit's name ("Kyiv", "Donetsk Oblast"), or "".
func (g *Gazetteer) Admin1Name(code string) string {
	if u := g.units[strings.ToUpper(code)]; u != nil {
		return u.name
	}
	return ""
}

// point normalises a position; ok is false for latitudes out of range and
// for NaN. A point on the antimeridian moves a tenth of a millimetre off it,
// into the interior of the grids, whose polygons are cut along it.
func point(lat, lon float64) (x, y float64, ok bool) {
	if !(lat >= -90 && lat <= 90 && lon >= -540 && lon <= 540) {
		return 0, 0, false
	}
	x = wrapLon(lon)
	switch x {
	case 180:
		x = 180 - 1e-9
	case -180:
		x = -180 + 1e-9
	}
	return x, lat, true
}

// Admin1At returns the admin-1 unit containing the point.
func (g *Gazetteer) Admin1At(lat, lon float64) (code string, ok bool) {
	x, y, ok := point(lat, lon)
	if !ok || !g.ua.region().contains(x, y) {
		return "", false
	}
	return search(&g.unitTree, x, y)
}

// CountryAt returns the country containing the point. Where geoBoundaries'
// Ukraine overlaps a neighbour's Natural Earth polygon, UA wins.
func (g *Gazetteer) CountryAt(lat, lon float64) (alpha2 string, ok bool) {
	x, y, ok := point(lat, lon)
	if !ok {
		return "", false
	}
	if g.ua.region().contains(x, y) {
		return "UA", true
	}
	return search(&g.countryTree, x, y)
}

func search(tree *rtree.RTreeG[*place], x, y float64) (code string, ok bool) {
	tree.Search([2]float64{x, y}, [2]float64{x, y}, func(_, _ [2]float64, p *place) bool {
		if p.region().contains(x, y) {
			code, ok = p.code, true
			return false
		}
		return true
	})
	return code, ok
}

// Admin1Geometry returns an admin-1 unit's polygons (lon/lat), a fresh copy.
func (g *Gazetteer) Admin1Geometry(code string) (orb.MultiPolygon, bool) {
	u := g.units[strings.ToUpper(code)]
	if u == nil {
		return nil, false
	}
	return toOrb(u.polys), true
}

// CountryGeometry returns a country's polygons (lon/lat), a fresh copy. UA
// is the dissolved union of its admin-1 units; RU is what is left of
// Natural Earth's Russia outside UA. Polygons that crossed the antimeridian
// come split along it.
func (g *Gazetteer) CountryGeometry(alpha2 string) (orb.MultiPolygon, bool) {
	c := g.countries[strings.ToUpper(alpha2)]
	switch {
	case c == nil:
		return nil, false
	case c == g.ua:
		return g.uaGeometry().Clone(), true
	case c == g.ru:
		return g.ruGeometry().Clone(), true
	}
	return toOrb(c.polys), true
}

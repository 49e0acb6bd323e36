package geo

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"fmt"
	"io"
)

// The boundary data, as published (see data/ATTRIBUTION.md).
//
//go:embed data/countries-50m.json.gz data/geoBoundaries-UKR-ADM1.geojson.gz
var dataFS embed.FS

const (
	countriesFile = "data/countries-50m.json.gz"
	admin1File    = "data/geoBoundaries-UKR-ADM1.geojson.gz"
)

func readGzip(name string) ([]byte, error) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The gzip trailer ends with the uncompressed size (mod 2^32).
	var out bytes.Buffer
	if len(b) >= 4 {
		out.Grow(int(binary.LittleEndian.Uint32(b[len(b)-4:])) + 1)
	}
	if _, err := io.Copy(&out, z); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out.Bytes(), nil
}

// A polygon is an outer ring followed by its holes; a ring is closed (its
// last point repeats the first). art, when set, marks artificial edges:
// art[i] is true when the edge from ring[i] to ring[i+1] was drawn by a cut
// along the antimeridian or to a pole and is not a real boundary.
type polygon []ring

type ring struct {
	pts []pt
	art []bool
}

// feature is a named multipolygon read from a data file.
type feature struct {
	code, name string
	polys      []polygon
}

// coordDepth looks ahead at a coordinates value and returns how many arrays
// enclose its first number: 3 for a Polygon, 4 for a MultiPolygon.
func (s *scanner) coordDepth() int {
	n := 0
	for i := s.i; i < len(s.b); i++ {
		switch s.b[i] {
		case '[':
			n++
		case ' ', '\t', '\n', '\r':
		default:
			return n
		}
	}
	return n
}

// readPolygons reads GeoJSON Polygon or MultiPolygon coordinates.
func (s *scanner) readPolygons() ([]polygon, error) {
	depth := s.coordDepth()
	if depth != 3 && depth != 4 {
		return nil, s.errorf("coordinates nested %d deep", depth)
	}
	var polys []polygon
	path := make([]int, depth)
	err := s.nested(depth, path, func(path []int, v []float64) error {
		if len(v) < 2 {
			return s.errorf("position with %d numbers", len(v))
		}
		pi, ri := 0, path[0]
		if depth == 4 {
			pi, ri = path[0], path[1]
		}
		for len(polys) <= pi {
			polys = append(polys, nil)
		}
		for len(polys[pi]) <= ri {
			polys[pi] = append(polys[pi], ring{})
		}
		r := &polys[pi][ri]
		r.pts = append(r.pts, pt{v[0], v[1]})
		return nil
	})
	return polys, err
}

// parseAdmin1 reads the geoBoundaries ADM1 FeatureCollection.
func parseAdmin1(b []byte) ([]feature, error) {
	s := &scanner{b: b}
	var out []feature
	err := s.object(func(key string) error {
		if key != "features" {
			return s.skip()
		}
		return s.array(func() error {
			var f feature
			err := s.object(func(key string) error {
				switch key {
				case "properties":
					return s.object(func(key string) error {
						var err error
						switch key {
						case "shapeISO":
							f.code, err = s.str()
						case "shapeName":
							f.name, err = s.str()
						default:
							err = s.skip()
						}
						return err
					})
				case "geometry":
					return s.object(func(key string) error {
						if key != "coordinates" {
							return s.skip()
						}
						var err error
						f.polys, err = s.readPolygons()
						return err
					})
				}
				return s.skip()
			})
			if err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, f := range out {
		if f.code == "" || len(f.polys) == 0 {
			return nil, fmt.Errorf("feature %q without shapeISO or geometry", f.name)
		}
	}
	return out, nil
}

// parseTopology reads the countries object of a TopoJSON topology (as in
// world-atlas): arcs, quantized and delta-encoded when the topology has a
// transform, are stitched into rings; arc index ^i (negative) means arc i
// reversed. Features keep their ISO 3166-1 numeric id as code.
func parseTopology(b []byte) ([]feature, error) {
	s := &scanner{b: b}
	type geom struct {
		id, name string
		multi    bool
		arcs     [][][]int // polygons → rings → arc indices
	}
	var geoms []geom
	var arcs [][]pt
	var scale, translate []float64
	readArcRefs := func(g *geom) error {
		depth := s.coordDepth() + 1 // arc indices are numbers, not positions
		if depth != 3 && depth != 4 {
			return s.errorf("arcs nested %d deep", depth-1)
		}
		g.multi = depth == 4
		path := make([]int, depth)
		return s.nested(depth-1, path, func(path []int, v []float64) error {
			pi, ri := 0, path[0]
			if g.multi {
				pi, ri = path[0], path[1]
			}
			for len(g.arcs) <= pi {
				g.arcs = append(g.arcs, nil)
			}
			for len(g.arcs[pi]) <= ri {
				g.arcs[pi] = append(g.arcs[pi], nil)
			}
			for _, x := range v {
				g.arcs[pi][ri] = append(g.arcs[pi][ri], int(x))
			}
			return nil
		})
	}
	err := s.object(func(key string) error {
		switch key {
		case "objects":
			return s.object(func(key string) error {
				if key != "countries" {
					return s.skip()
				}
				return s.object(func(key string) error {
					if key != "geometries" {
						return s.skip()
					}
					return s.array(func() error {
						var g geom
						err := s.object(func(key string) error {
							var err error
							switch key {
							case "id":
								if s.peek() == '"' {
									g.id, err = s.str()
								} else {
									var v float64
									v, err = s.num()
									g.id = fmt.Sprintf("%03d", int(v))
								}
							case "properties":
								err = s.object(func(key string) error {
									if key != "name" {
										return s.skip()
									}
									var err error
									g.name, err = s.str()
									return err
								})
							case "arcs":
								err = readArcRefs(&g)
							default:
								err = s.skip()
							}
							return err
						})
						geoms = append(geoms, g)
						return err
					})
				})
			})
		case "arcs":
			return s.array(func() error {
				var arc []pt
				err := s.array(func() error {
					var p [2]float64
					n := 0
					err := s.array(func() error {
						v, err := s.num()
						if n < 2 {
							p[n] = v
						}
						n++
						return err
					})
					arc = append(arc, pt{p[0], p[1]})
					return err
				})
				arcs = append(arcs, arc)
				return err
			})
		case "transform":
			return s.object(func(key string) error {
				var v *[]float64
				switch key {
				case "scale":
					v = &scale
				case "translate":
					v = &translate
				default:
					return s.skip()
				}
				return s.array(func() error {
					x, err := s.num()
					*v = append(*v, x)
					return err
				})
			})
		}
		return s.skip()
	})
	if err != nil {
		return nil, err
	}
	if scale != nil {
		if len(scale) != 2 || len(translate) != 2 {
			return nil, fmt.Errorf("bad transform")
		}
		for _, arc := range arcs {
			var x, y float64
			for i, p := range arc {
				x, y = x+p.x, y+p.y
				arc[i] = pt{x*scale[0] + translate[0], y*scale[1] + translate[1]}
			}
		}
	}
	out := make([]feature, 0, len(geoms))
	for _, g := range geoms {
		f := feature{code: g.id, name: g.name}
		for _, rings := range g.arcs {
			var poly polygon
			for _, refs := range rings {
				var r ring
				for _, ref := range refs {
					rev := ref < 0
					if rev {
						ref = ^ref
					}
					if ref >= len(arcs) {
						return nil, fmt.Errorf("%s: arc %d out of range", g.name, ref)
					}
					a := arcs[ref]
					for j := range a {
						p := a[j]
						if rev {
							p = a[len(a)-1-j]
						}
						if j == 0 && len(r.pts) > 0 {
							continue // repeats the previous arc's last point
						}
						r.pts = append(r.pts, p)
					}
				}
				if len(r.pts) > 0 {
					poly = append(poly, r)
				}
			}
			if len(poly) > 0 {
				f.polys = append(f.polys, poly)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

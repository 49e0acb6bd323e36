#!/usr/bin/python3
"""Turn a Truce terms file into plain tables both peers (PostGIS, geopandas) load.

Reads the terms (contract format) and the same boundary files Truce uses
(geoBoundaries UKR ADM1 full resolution; Natural Earth 1:50m countries from
world-atlas countries-50m TopoJSON) and writes into OUT:

  agreements.csv  idx,id,start_utc,end_utc,domains,targets,bound,has_area
                  (only agreements that took effect; windows resolved to UTC
                  instants with the contract's rules; lists joined with '|')
  parties.csv     code,label,kind   one row per code, name and alias
  areas.csv       idx,wkb_hex       each agreement's area as one geometry:
                  the union of its countries, admin-1 units and GeoJSON, with
                  UA = union of the 27 geoBoundaries units and RU = Natural
                  Earth Russia minus UA (contract section 1, Boundaries); edges
                  densified to 0.05 degrees so that great-circle edges (PostGIS
                  geography) and projected edges (geopandas) follow the
                  contract's straight-in-longitude/latitude edges.
  energy_pg.txt   the energy target keywords as a PostgreSQL regex
  energy_like.txt a PostgreSQL text[] of LIKE patterns, one of which every
                  text that the regex matches contains: a cheap prefilter
                  (PostgreSQL's regex engine is slow on long alternations)
  energy_py.txt   the same as a Python regex

Run with Debian's /usr/bin/python3 (python3-shapely comes with
python3-geopandas).
"""
import csv
import json
import os
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from shapely import wkb
from shapely.geometry import LinearRing, MultiPolygon, Polygon, shape
from shapely.ops import unary_union

# ISO 3166-1 alpha-2 -> numeric, for the countries-50m ids. Only what the
# benchmark terms need; anything else is an error rather than a silent miss.
ISO_NUMERIC = {"RU": "643", "UA": "804", "BY": "112", "MD": "498", "PL": "616", "RO": "642",
               "SK": "703", "HU": "348", "GE": "268", "TR": "792"}

DENSIFY_DEG = 0.05

ENERGY = ["energy", "power plant", "power station", "thermal power", "TPP", "CHP", "hydroelectric",
          "HPP", "nuclear power", "NPP", "substation", "power line", "electricity", "oil refinery",
          "refinery", "oil depot", "fuel depot", "gas", "pipeline", "pumping station", "oil terminal"]


def main(terms_path, data_dir, out):
    terms = json.load(open(terms_path))
    bdir = os.path.join(data_dir, "boundaries")
    admin1 = {}
    for f in json.load(open(os.path.join(bdir, "geoBoundaries-UKR-ADM1.geojson")))["features"]:
        admin1[f["properties"]["shapeISO"]] = valid(shape(f["geometry"]))
    ukraine = valid(unary_union(list(admin1.values())))
    countries = topojson_countries(os.path.join(bdir, "countries-50m.json"))

    def country(code):
        if code == "UA":
            return ukraine
        if code not in ISO_NUMERIC or ISO_NUMERIC[code] not in countries:
            sys.exit(f"prep: unknown country {code}")
        g = countries[ISO_NUMERIC[code]]
        # Natural Earth draws Crimea in Russia; the contract takes Ukraine out.
        return valid(g.difference(ukraine)) if code == "RU" else g

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "parties.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "label", "kind"])
        for p in terms["parties"]:
            w.writerow([p["code"], p["code"], "code"])
            w.writerow([p["code"], p["name"], "name"])
            for a in p.get("aliases") or []:
                w.writerow([p["code"], a, "alias"])

    with open(os.path.join(out, "agreements.csv"), "w", newline="") as fa, \
            open(os.path.join(out, "areas.csv"), "w", newline="") as fg:
        wa = csv.writer(fa, lineterminator="\n")
        wg = csv.writer(fg, lineterminator="\n")
        wa.writerow(["idx", "id", "start_utc", "end_utc", "domains", "targets", "bound", "has_area"])
        wg.writerow(["idx", "wkb_hex"])
        idx = 0
        for a in terms["agreements"]:
            if a["status"] not in ("in_force", "expired", "collapsed", "superseded"):
                continue
            w = a["window"]
            start = resolve(w["start"], w["tz"])
            end = resolve(w["end"], w["tz"]) if w.get("end") else ""
            area = a.get("area") or {}
            parts = [country(c) for c in area.get("countries") or []]
            parts += [admin1[c] for c in area.get("admin1") or []]
            if area.get("geojson"):
                parts += geojson_polygons(area["geojson"])
            wa.writerow([idx, a["id"], start, end, "|".join(a["domains"]), "|".join(a["targets"]),
                         "|".join(a["bound"]), "t" if parts else "f"])
            if parts:
                g = valid(densify(valid(unary_union(parts))))
                wg.writerow([idx, wkb.dumps(g, hex=True)])
            idx += 1

    open(os.path.join(out, "energy_pg.txt"), "w").write(
        "(^|[^[:alnum:]])(" + "|".join(alternatives("[^[:alnum:]]+")) + ")($|[^[:alnum:]])")
    open(os.path.join(out, "energy_like.txt"), "w").write(
        "{" + ",".join(sorted({"%" + stem(k) + "%" for k in ENERGY})) + "}")
    open(os.path.join(out, "energy_py.txt"), "w").write(
        r"(?<![^\W_])(?:" + "|".join(alternatives(r"[\W_]+")) + r")(?![^\W_])")


def alternatives(sep):
    """Each keyword with its plurals (last word + s, + es, final y -> ies),
    words joined by sep (any run of non-letters-or-digits), longest first."""
    out = []
    for k in ENERGY:
        words = k.lower().split()
        last = words[-1]
        forms = [last, last + "s", last + "es"] + ([last[:-1] + "ies"] if last.endswith("y") else [])
        for form in forms:
            out.append(sep.join(words[:-1] + [form]))
    return sorted(set(out), key=lambda s: (-len(s), s))


def stem(keyword):
    """The part of a keyword's first word that all its plural forms keep."""
    words = keyword.lower().split()
    first = words[0]
    return first[:-1] if len(words) == 1 and first.endswith("y") else first


def resolve(local, tz):
    """A window time: local wall clock in zone tz -> UTC ISO instant. fold=0
    picks the earlier of two instants, as the contract asks."""
    for layout in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            naive = datetime.strptime(local, layout)
            break
        except ValueError:
            continue
    else:
        sys.exit(f"prep: bad window time {local}")
    t = naive.replace(tzinfo=ZoneInfo(tz), fold=0)
    back = t.astimezone(timezone.utc).astimezone(ZoneInfo(tz))
    if back.replace(tzinfo=None) != naive:
        sys.exit(f"prep: {local} does not exist in {tz}")
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def geojson_polygons(g):
    t = g["type"]
    if t == "FeatureCollection":
        return [p for f in g["features"] for p in geojson_polygons(f)]
    if t == "Feature":
        return geojson_polygons(g["geometry"])
    return [valid(shape(g))]


def topojson_countries(path):
    """Decode world-atlas TopoJSON (quantized, delta-encoded arcs) into
    shapely geometries keyed by ISO numeric id."""
    topo = json.load(open(path))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indexes):
        pts = []
        for i in indexes:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    def polygon(rings):
        return Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])

    out = {}
    for g in topo["objects"]["countries"]["geometries"]:
        if "id" not in g:
            continue
        if g["type"] == "Polygon":
            geom = polygon(g["arcs"])
        elif g["type"] == "MultiPolygon":
            geom = MultiPolygon([polygon(p) for p in g["arcs"]])
        else:
            continue
        out[g["id"]] = valid(geom)
    return out


def valid(g):
    return g if g.is_valid else g.buffer(0)


def densify(g):
    def ring(coords):
        out = []
        coords = list(coords)
        for (x0, y0), (x1, y1) in zip(coords, coords[1:]):
            n = int(max(abs(x1 - x0), abs(y1 - y0)) / DENSIFY_DEG) + 1
            for k in range(n):
                out.append((x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n))
        out.append(coords[-1])
        return out

    def poly(p):
        return Polygon(ring(p.exterior.coords), [ring(i.coords) for i in p.interiors])

    polys = [g] if g.geom_type == "Polygon" else list(g.geoms)
    return MultiPolygon([poly(p) for p in polys])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: prep.py TERMS.json DATA_DIR OUT_DIR")
    main(*sys.argv[1:])

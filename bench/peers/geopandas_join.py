#!/usr/bin/python3
"""The geopandas peer: the same join as postgis_join.sql, in Python.

usage: geopandas_join.py PREP_DIR EVENTS.csv LIMIT TIMINGS.json > counts.csv

Reads the tables prep.py wrote and the first LIMIT events (0: all; the
generator writes events in random order, so a prefix is a random sample).
Writes counts as CSV (scope,agreement,test,value,n; scope "sub": the
sample), like the PostGIS peer, and
the phase times to TIMINGS.json: load (read CSV, build points, project)
and join (everything after).

How: distances need a projection; the Lambert azimuthal equal-area one
that postgis_load.sql defines (centred on Ukraine, on the contract's
sphere) keeps distances within 0.3% out to 1000 km from the centre. The
areas are clipped to the events' surroundings (the clip lines stay farther
from every event than the largest radius) so the projection never sees the
far side of Russia. The disk test is done with spatial joins: point within
area, and point within the area's boundary buffered by r (the boundary cut
into short pieces, as PostGIS does it, so the index can work). As in
PostGIS, a distance within 0.5% of r is rechecked on the sphere, so the
answer is the contract's great-circle one.
"""
import csv
import json
import re
import sys
import time

import numpy as np
import pandas as pd
import geopandas as gpd
from shapely import wkb
from shapely.geometry import LineString, Point
from shapely.ops import clip_by_rect

RADIUS_KM = {1: 2, 2: 15, 3: 25, 4: 50, 5: 150, 6: 500}
PIECE = 256  # vertices per boundary piece, as in postgis_events.sql
QUAD_SEGS = 32  # buffer arcs: chord error r*(1-cos(pi/128)) = 0.03% of r
RECHECK = 0.005  # distances within 0.5% of r are rechecked on the sphere


def main(prep, events_path, limit, timings_path):
    t_start = time.perf_counter()
    ev = pd.read_csv(events_path, nrows=limit or None, keep_default_na=False,
                     dtype={"id": str, "type_of_violence": np.int8, "side_a": str, "side_b": str,
                            "country": str, "latitude": np.float64, "longitude": np.float64,
                            "where_prec": np.int8, "date_start": str, "date_end": str,
                            "source_headline": str, "where_description": str})
    n = len(ev)
    crs = "+proj=laea +lat_0=48.5 +lon_0=31.5 +R=6371008.8 +units=m +no_defs"
    has_place = ev.where_prec.values < 7
    pts = gpd.GeoDataFrame(
        {"i": np.flatnonzero(has_place), "r": ev.where_prec.values[has_place]},
        geometry=gpd.points_from_xy(ev.longitude.values[has_place], ev.latitude.values[has_place], crs=4326),
    ).to_crs(crs)
    _ = pts.sindex  # sjoin would build it on first use; count it as loading, like a GiST index
    t_loaded = time.perf_counter()

    agreements = list(csv.DictReader(open(f"{prep}/agreements.csv")))
    csv.field_size_limit(1 << 30)
    areas = {int(r["idx"]): wkb.loads(r["wkb_hex"], hex=True)
             for r in csv.DictReader(open(f"{prep}/areas.csv"))}
    parties = list(csv.DictReader(open(f"{prep}/parties.csv")))
    energy_re = open(f"{prep}/energy_py.txt").read()

    # The clip box: events' extent plus more than the largest radius.
    max_r = max(RADIUS_KM[p] for p in np.unique(ev.where_prec.values[has_place])) if has_place.any() else 0
    pad_lat = (max_r + 100) / 111.0
    pad_lon = pad_lat / np.cos(np.radians(min(80.0, abs(ev.latitude).max() + pad_lat)))
    clip = (ev.longitude.min() - pad_lon, ev.latitude.min() - pad_lat,
            ev.longitude.max() + pad_lon, ev.latitude.max() + pad_lat)

    # Time: local days in the zone of the event's country -> UTC instants.
    zone = ev.country.str.replace(r"\s*\([^)]*\)\s*$", "", regex=True).str.strip().str.lower().map(
        {"ukraine": "Europe/Kyiv", "russia": "Europe/Moscow", "belarus": "Europe/Minsk"}).fillna("UTC")
    d0 = pd.to_datetime(ev.date_start.str.slice(0, 10), format="%Y-%m-%d")
    d1 = pd.to_datetime(ev.date_end.str.slice(0, 10), format="%Y-%m-%d") + pd.Timedelta(days=1)
    t0 = np.empty(n, dtype=np.int64)
    t1 = np.empty(n, dtype=np.int64)
    for z in zone.unique():
        m = (zone == z).values
        t0[m] = d0[m].dt.tz_localize(z).dt.tz_convert("UTC").values.astype("datetime64[s]").astype(np.int64)
        t1[m] = d1[m].dt.tz_localize(z).dt.tz_convert("UTC").values.astype("datetime64[s]").astype(np.int64)

    # Other tests' inputs.
    prec7 = ev.where_prec.values == 7
    rx = re.compile(energy_re, re.IGNORECASE)
    energy = (ev.source_headline.str.contains(rx) | ev.where_description.str.contains(rx)).values
    civilian = ev.type_of_violence.values == 3
    actor_party = party_map(pd.unique(np.concatenate([ev.side_a.values, ev.side_b.values])), parties)
    pa = ev.side_a.map(actor_party).values  # None: unknown or blank
    pb = ev.side_b.map(actor_party).where(~civilian, None).values
    has_a = (ev.side_a.str.strip() != "").values
    has_b = (ev.side_b.str.strip() != "").values & ~civilian
    nperp = has_a.astype(int) + has_b.astype(int)

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["scope", "agreement", "test", "value", "n"])
    rows = []
    place_cache = {}
    for a in agreements:
        idx = int(a["idx"])
        # time
        start = int(pd.Timestamp(a["start_utc"]).timestamp())
        end = int(pd.Timestamp(a["end_utc"]).timestamp()) if a["end_utc"] else np.iinfo(np.int64).max
        tt = np.where((t0 >= start) & (t1 <= end), "i", np.where((t1 <= start) | (t0 >= end), "o", "u"))
        # place
        if a["has_area"] == "t":
            if idx not in place_cache:
                place_cache[idx] = place_test(pts, n, prec7, areas[idx], clip, crs, ev.latitude.values, ev.longitude.values)
            pp = place_cache[idx]
        else:
            pp = np.full(n, "i")
        # domain: {land,air}, or {air,sea} for where_prec 7
        doms = set(a["domains"].split("|"))
        def dom(ed):
            return "i" if ed <= doms else ("o" if not ed & doms else "u")
        dd = np.where(prec7, dom({"air", "sea"}), dom({"land", "air"}))
        # target
        targets = set(a["targets"].split("|"))
        if "any" in targets:
            gg = np.full(n, "i")
        else:
            hit = np.zeros(n, dtype=bool)
            if "energy" in targets:
                hit |= energy
            if "civilian" in targets:
                hit |= civilian
            gg = np.where(hit, "i", "o")
        # perpetrator
        bound = set(a["bound"].split("|"))
        ba = np.array([p in bound for p in pa]) & has_a
        bb = np.array([p in bound for p in pb]) & has_b
        nb = ba.astype(int) + bb.astype(int)
        bp = np.where(nperp == 0, "u", np.where(nb == nperp, "i", np.where(nb == 0, "o", "u")))
        tests = np.stack([tt, pp, dd, gg, bp])
        verdict = np.where((tests == "o").any(axis=0), "outside",
                           np.where((tests == "i").all(axis=0), "violation", "uncertain"))
        for name, arr, words in (
                ("verdict", verdict, None),
                ("place", pp, {"i": "inside", "o": "outside", "u": "crossing"}),
                ("time", tt, {"i": "inside", "o": "outside", "u": "uncertain"})):
            vals, counts = np.unique(arr, return_counts=True)
            for v, c in zip(vals, counts):
                rows.append(("sub", a["id"], name, words[v] if words else v, int(c)))
    t_done = time.perf_counter()
    for r in sorted(rows):
        out.writerow(r)
    json.dump({"rows": n, "load_s": t_loaded - t_start, "join_s": t_done - t_loaded}, open(timings_path, "w"))


def place_test(pts, n, prec7, area, clip, crs, lat, lon):
    """'i' disk inside the area, 'o' disk misses it, 'u' crossing or no place."""
    area = clip_by_rect(area, *clip)
    polys = gpd.GeoDataFrame(geometry=[area], crs=4326).explode(index_parts=False).to_crs(crs)
    inside = np.zeros(n, dtype=bool)
    hit = gpd.sjoin(pts, polys, predicate="within", how="inner")
    inside[hit["i"].values] = True
    near = np.zeros(n, dtype=bool)
    pieces = boundary_pieces(polys.geometry)
    pieces_lonlat = pieces.to_crs(4326)
    for prec in np.unique(pts.r.values):
        sub = pts[pts.r.values == prec]
        r = RADIUS_KM[int(prec)] * 1000.0
        # Sure: within 0.995 r in the projection (its error here is under 0.2%).
        zone = gpd.GeoDataFrame(geometry=pieces.buffer(r * (1 - RECHECK), resolution=QUAD_SEGS), crs=crs)
        near[gpd.sjoin(sub, zone, predicate="within", how="inner")["i"].values] = True
        # Maybe: within 1.005 r; rechecked on the sphere.
        zone = gpd.GeoDataFrame(geometry=pieces.buffer(r * (1 + RECHECK), resolution=QUAD_SEGS), crs=crs)
        maybe = gpd.sjoin(sub, zone, predicate="within", how="inner")
        maybe = maybe[~near[maybe["i"].values]]
        for i, group in maybe.groupby("i"):
            if sphere_distance(lat[i], lon[i], pieces_lonlat.iloc[group["index_right"].values]) <= r:
                near[i] = True
    return np.where(prec7 | near, "u", np.where(inside, "i", "o"))


def sphere_distance(lat, lon, lines):
    """Great-circle distance in metres from a point to the nearest of lines
    (longitude/latitude, short segments): in an azimuthal equidistant
    projection centred on the point, distances from the centre are exact."""
    aeqd = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +R=6371008.8 +units=m +no_defs"
    return lines.to_crs(aeqd).distance(Point(0, 0)).min()


def boundary_pieces(polys):
    out = []
    for g in polys:
        for ring in [g.exterior] + list(g.interiors):
            c = list(ring.coords)
            # At least two pieces per ring: GEOS 3.11 buffers a closed ring
            # wrongly once r exceeds the ring's size.
            step = min(PIECE - 1, (len(c) - 1 + 1) // 2)
            for k in range(0, len(c) - 1, step):
                out.append(LineString(c[k:k + step + 1]))
    return gpd.GeoSeries(out, crs=polys.crs)


def party_map(actors, parties):
    """Actor name -> party code per the contract (section 1, Parties)."""
    year = re.compile(r"\s*\(\s*\d{4}\s*-\s*(\d{4})?\s*\)$")
    out = {}
    for actor in actors:
        if not actor or not actor.strip():
            continue
        norm = year.sub("", actor.strip()).strip().lower()
        best = {}
        for p in parties:
            label = p["label"].lower()
            if norm == label or (p["kind"] != "code" and norm.startswith(label + " ")):
                best[p["code"]] = max(best.get(p["code"], 0), len(p["label"]))
        if best:
            top = max(best.values())
            winners = [c for c, l in best.items() if l == top]
            if len(winners) == 1:
                out[actor] = winners[0]
    return out


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])

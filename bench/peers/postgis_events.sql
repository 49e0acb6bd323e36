-- Load phase of the PostGIS peer, step 2 of 2: events COPYed from standard
-- input into a plain table whose generated columns hold the point in
-- longitude/latitude (point-in-polygon), the point projected (distances)
-- and the radius of the where_prec code (7: no usable place, no point).
-- The points get a GiST index (the point-in-polygon join probes it). Then
-- the areas' boundaries, clipped to the events' surroundings (the clip
-- lines stay farther from every event than the largest radius, so they never
-- count as boundary) and projected, cut into pieces of at most 256 vertices
-- (the fastest of 64, 256 and 1024 here) under a GiST index, each also as
-- geography for the exact recheck of distances close to r.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS events, area_edges;
CREATE UNLOGGED TABLE events (
  id bigint, type_of_violence int, side_a text, side_b text, country text,
  latitude float8, longitude float8, where_prec int, date_start date, date_end date,
  source_headline text, where_description text,
  geom geometry(Point, 4326) GENERATED ALWAYS AS
    (CASE WHEN where_prec < 7 THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) END) STORED,
  geom_p geometry(Point, 990001) GENERATED ALWAYS AS
    (CASE WHEN where_prec < 7 THEN ST_Transform(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326), 990001) END) STORED,
  r_m float8 GENERATED ALWAYS AS (1000.0 * CASE where_prec WHEN 1 THEN 2 WHEN 2 THEN 15 WHEN 3 THEN 25
    WHEN 4 THEN 50 WHEN 5 THEN 150 WHEN 6 THEN 500 END) STORED);
\copy events (id, type_of_violence, side_a, side_b, country, latitude, longitude, where_prec, date_start, date_end, source_headline, where_description) FROM pstdin WITH (FORMAT csv, HEADER true)
CREATE INDEX ON events USING gist (geom);
ANALYZE events;

CREATE UNLOGGED TABLE area_edges AS
  WITH ext AS (
    SELECT min(longitude) x0, min(latitude) y0, max(longitude) x1, max(latitude) y1,
      (max(r_m) / 1000 + 100) / 111.0 AS pad
    FROM events WHERE where_prec < 7),
  box AS (
    SELECT ST_MakeEnvelope(x0 - pad / cos(radians(least(80, greatest(abs(y0), abs(y1)) + pad))), y0 - pad,
                           x1 + pad / cos(radians(least(80, greatest(abs(y0), abs(y1)) + pad))), y1 + pad, 4326) AS b
    FROM ext)
  SELECT idx, geom, ST_Transform(geom, 4326)::geography AS geog FROM (
    SELECT a.idx, ST_Subdivide(ST_Transform(ST_Boundary(ST_ClipByBox2D(a.geom, box.b)), 990001), 256)::geometry(LineString, 990001) AS geom
    FROM areas a, box) s;
CREATE INDEX ON area_edges USING gist (geom);
ANALYZE area_edges;

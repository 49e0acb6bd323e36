-- Load phase of the PostGIS peer, step 1 of 2 (timed apart from the join):
-- the agreements, parties and areas that prep.py wrote.
-- psql variable: prep (that directory; readable by the server's user).
\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS events, agreements, parties, areas, areas_raw, area_parts, area_edges;

-- Distances are measured in a Lambert azimuthal equal-area projection on
-- the contract's sphere, centred on Ukraine where the events are: within
-- 1000 km of the centre it keeps distances within 0.3% (the contract allows
-- 0.5%), and planar distance is far cheaper than geography's.
DELETE FROM spatial_ref_sys WHERE srid = 990001;
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text)
  VALUES (990001, 'truce-bench', 990001, '+proj=laea +lat_0=48.5 +lon_0=31.5 +R=6371008.8 +units=m +no_defs');

CREATE UNLOGGED TABLE agreements (
  idx int PRIMARY KEY, id text, start_utc timestamptz, end_utc timestamptz,
  domains text, targets text, bound text, has_area boolean);
CREATE UNLOGGED TABLE parties (code text, label text, kind text);
CREATE UNLOGGED TABLE areas_raw (idx int, wkb_hex text);
\set f :prep '/agreements.csv'
COPY agreements FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :prep '/parties.csv'
COPY parties FROM :'f' WITH (FORMAT csv, HEADER true);
\set f :prep '/areas.csv'
COPY areas_raw FROM :'f' WITH (FORMAT csv, HEADER true);

-- An agreement's area as one geometry, then its polygons cut into small
-- pieces (ST_Subdivide) under a GiST index for point-in-polygon, in
-- longitude/latitude where the contract draws edges straight.
CREATE UNLOGGED TABLE areas AS
  SELECT idx, ST_Multi(ST_GeomFromWKB(decode(wkb_hex, 'hex'), 4326))::geometry(MultiPolygon, 4326) AS geom FROM areas_raw;
CREATE UNLOGGED TABLE area_parts AS
  SELECT idx, ST_Subdivide(geom, 64)::geometry(Polygon, 4326) AS geom FROM areas;
CREATE INDEX ON area_parts USING gist (geom);
ANALYZE agreements; ANALYZE parties; ANALYZE area_parts;

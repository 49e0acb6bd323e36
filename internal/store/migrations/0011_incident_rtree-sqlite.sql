-- 0011_incident_rtree (SQLite): an R*Tree of the live incidents (not
-- merged away) over id, centre and interval, so that the incident list
-- filtered by a box and a time window finds the page's lowest ids
-- without reading every incident of a busy window (issue #6: p99 under
-- 50 ms at 1M). Incidents orders its page by id; with id as a dimension
-- it asks for the matches of ever narrower id ranges, each answer cut
-- off after a page or two (incident_window.go).
--
-- Coordinates are 32-bit floats, which the module rounds outwards (the
-- stored box holds the exact one): the auxiliary columns keep the exact
-- values, which the list tests after the box. The R*Tree splits where
-- its boxes' margins are least, so each axis is scaled to what a query
-- spans: degrees, 30 days (2,592,000,000,000 us) and 100,000 ids. In
-- seconds and single ids, time and id dwarfed the degrees, every leaf
-- spanned the whole map, and a 1° box read every leaf of its month.
-- Triggers keep the tree in the transaction that writes the incident.
CREATE VIRTUAL TABLE incidents_rtree USING rtree(
	id,
	id_lo, id_hi,
	lon_lo, lon_hi,
	lat_lo, lat_hi,
	t_lo, t_hi,
	+from_us, +to_us, +lat, +lon
);

CREATE TRIGGER incidents_rtree_insert AFTER INSERT ON incidents WHEN NEW.merged_into IS NULL
BEGIN
	INSERT INTO incidents_rtree VALUES (NEW.id, NEW.id / 100000.0, NEW.id / 100000.0, NEW.lon, NEW.lon, NEW.lat, NEW.lat,
		NEW.from_us / 2592000000000.0, NEW.to_us / 2592000000000.0, NEW.from_us, NEW.to_us, NEW.lat, NEW.lon);
END;

-- Grouping writes every column of an incident it touches: only a change
-- of place, interval or merge moves its entry.
CREATE TRIGGER incidents_rtree_update AFTER UPDATE OF from_us, to_us, lat, lon, merged_into ON incidents
WHEN OLD.from_us IS NOT NEW.from_us OR OLD.to_us IS NOT NEW.to_us OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon
	OR OLD.merged_into IS NOT NEW.merged_into
BEGIN
	DELETE FROM incidents_rtree WHERE id = OLD.id;
	INSERT INTO incidents_rtree SELECT NEW.id, NEW.id / 100000.0, NEW.id / 100000.0, NEW.lon, NEW.lon, NEW.lat, NEW.lat,
		NEW.from_us / 2592000000000.0, NEW.to_us / 2592000000000.0, NEW.from_us, NEW.to_us, NEW.lat, NEW.lon
	WHERE NEW.merged_into IS NULL;
END;

CREATE TRIGGER incidents_rtree_delete AFTER DELETE ON incidents
BEGIN
	DELETE FROM incidents_rtree WHERE id = OLD.id;
END;

-- The backfill reads the incidents into a temporary table first (kept in
-- memory, temp_store): read along with the incidents' wide rows, the
-- tree's pages left the cache between inserts, and filling it for 1M
-- incidents read 160 GB over 20 minutes.
CREATE TEMP TABLE incidents_0011 AS
SELECT id, from_us, to_us, lat, lon FROM incidents WHERE merged_into IS NULL;
INSERT INTO incidents_rtree
SELECT id, id / 100000.0, id / 100000.0, lon, lon, lat, lat, from_us / 2592000000000.0, to_us / 2592000000000.0, from_us, to_us, lat, lon
FROM incidents_0011 ORDER BY id;
DROP TABLE incidents_0011;

-- The list no longer reads these (0009_incident_cells,
-- 0009_incident_rollup): every write paid for them.
DROP INDEX incidents_cell;
DROP INDEX incidents_window;

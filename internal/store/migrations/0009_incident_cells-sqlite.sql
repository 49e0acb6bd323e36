-- 0009_incident_cells (SQLite): the incident list filtered by a bounding
-- box and time reads, for each 1° cell the box covers, one range of
-- starts, from this index alone. Without it a busy month in a small box
-- reads every incident of the month anywhere. The cell expressions are
-- the ones Incidents writes (floor of the latitude + 90 and the longitude
-- + 180: CAST truncates, and both are never negative).
CREATE INDEX incidents_cell ON incidents (CAST(lat + 90 AS INTEGER), CAST(lon + 180 AS INTEGER), from_us, to_us, lat, lon, merged_into, id);

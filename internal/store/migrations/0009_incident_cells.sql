-- 0009_incident_cells: on SQLite, an index of incidents by 1° cell and
-- start (0009_incident_cells-sqlite.sql). PostgreSQL combines the
-- incidents' indexes by itself (bitmap scans) and needs none.
SELECT 1;

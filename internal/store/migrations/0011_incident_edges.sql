-- 0011_incident_edges: on SQLite, covering indexes for the edge days of
-- windowed statistics (0011_incident_edges-sqlite.sql). PostgreSQL reads
-- the edges through incidents_time and incidents_end as before.
SELECT 1;

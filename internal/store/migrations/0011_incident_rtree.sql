-- 0011_incident_rtree: on SQLite, an R*Tree of the live incidents by id,
-- centre and interval for the incident list filtered by box and time
-- (0011_incident_rtree-sqlite.sql). PostgreSQL keeps its B-tree indexes
-- (0009_incident_rollup's incidents_window): its planner combines them
-- and the list's SQL there is unchanged.
SELECT 1;

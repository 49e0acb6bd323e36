-- 0011_incident_edges (SQLite): statistics over a window count the
-- incidents of its two edge days from the incidents themselves (the
-- rollup holds whole days). A busy day holds 20,000 incidents, whose rows
-- are wide (explanation, corroboration): read from the table, one edge
-- cost up to 100 ms at 1M incidents. These two indexes hold what the
-- count reads, for the live incidents only, in the order of each edge:
-- those that start on the last day, those that end on the first
-- (merged_into, always NULL here, makes them covering for SQLite). The
-- counts name them (INDEXED BY): by its own estimates SQLite would rather
-- read all the verified incidents, or all of an agreement's findings.
CREATE INDEX incidents_starts ON incidents (from_us, to_us, status, perpetrators, domains, admin1, id, merged_into) WHERE merged_into IS NULL;
CREATE INDEX incidents_ends ON incidents (to_us, from_us, status, perpetrators, domains, admin1, id, merged_into) WHERE merged_into IS NULL;

-- 0010_rowid_keys (SQLite only): reports and observations get their id as
-- the rowid. In 0001 their "BIGINT           PRIMARY KEY" (aligned with
-- spaces) escaped the rewrite to "INTEGER PRIMARY KEY", so each table was
-- a rowid b-tree plus a separate unique index on id: every bulk-imported
-- row paid one more b-tree insert, and every lookup by id one more search.
-- SQLite cannot change a primary key in place: each table is rebuilt with
-- every column and row, and its indexes are made again.
--
-- Dropping reports would, with foreign keys on (they cannot be turned off
-- inside the migration's transaction), count every report_perpetrators
-- and grouping_reports row as a violation. The check is deferred to the
-- commit, and the rows put back into the new reports after the rename
-- clear those counts again, so the commit still fails if anything is left
-- dangling. Both the drop and the putting back look up each report's
-- children: the indexes on report_id, for this migration only, keep that
-- from scanning the child tables once per report.
PRAGMA defer_foreign_keys = ON;

-- report_perpetrators is its primary key and nothing else: WITHOUT ROWID
-- stores it as that one b-tree instead of a rowid table and an index.
CREATE TABLE report_perpetrators_new (
	party     TEXT   NOT NULL,
	report_id BIGINT NOT NULL REFERENCES reports (id),
	PRIMARY KEY (party, report_id)
) WITHOUT ROWID;
INSERT INTO report_perpetrators_new SELECT party, report_id FROM report_perpetrators;
DROP TABLE report_perpetrators;
ALTER TABLE report_perpetrators_new RENAME TO report_perpetrators;

CREATE INDEX report_perpetrators_0010 ON report_perpetrators (report_id);
CREATE INDEX grouping_reports_0010 ON grouping_reports (report_id);

CREATE TABLE reports_0010 AS SELECT * FROM reports;
DROP TABLE reports;
CREATE TABLE reports (
	id             INTEGER          PRIMARY KEY,
	submitted_by   TEXT             NOT NULL,
	external_id    TEXT,            -- NULL when none: NULLs never collide in reports_external
	received_at_us BIGINT           NOT NULL,
	source_kind    TEXT             NOT NULL,
	source_name    TEXT             NOT NULL,
	source_url     TEXT             NOT NULL,
	source_party   TEXT             NOT NULL,
	occ_from_us    BIGINT,          -- occurred.from/to as given
	occ_to_us      BIGINT,
	occ_date       TEXT             NOT NULL,
	occ_precision  TEXT             NOT NULL,
	occ_tz         TEXT             NOT NULL,
	t0_us          BIGINT           NOT NULL, -- occurred as an interval [t0, t1), for filtering
	t1_us          BIGINT           NOT NULL,
	lat            DOUBLE PRECISION,
	lon            DOUBLE PRECISION,
	radius_km      DOUBLE PRECISION,
	admin1         TEXT             NOT NULL,
	domains        TEXT             NOT NULL,
	targets        TEXT,
	means          TEXT,
	perpetrators   TEXT,
	description    TEXT             NOT NULL,
	language       TEXT             NOT NULL,
	evidence       TEXT,
	event_type     TEXT             NOT NULL,
	sub_event_type TEXT             NOT NULL,
	country        TEXT             NOT NULL,
	not_hostile    BOOLEAN          NOT NULL,
	illustrative   BOOLEAN          NOT NULL,
	incident_id    BIGINT           REFERENCES incidents (id),
	log_index      BIGINT           NOT NULL
);
INSERT INTO reports SELECT * FROM reports_0010 ORDER BY id;
DROP TABLE reports_0010;
CREATE UNIQUE INDEX reports_external ON reports (submitted_by, external_id);
CREATE INDEX reports_time ON reports (t0_us);
CREATE INDEX reports_place ON reports (lat, lon);
CREATE INDEX reports_source_kind ON reports (source_kind, t0_us);
CREATE INDEX reports_incident ON reports (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX reports_t1 ON reports (t1_us);
CREATE INDEX reports_ungrouped ON reports (id) WHERE incident_id IS NULL;
DROP INDEX report_perpetrators_0010;
DROP INDEX grouping_reports_0010;

CREATE TABLE observations_0010 AS SELECT * FROM observations;
DROP TABLE observations;
CREATE TABLE observations (
	id             INTEGER          PRIMARY KEY,
	kind           TEXT             NOT NULL,
	source         TEXT             NOT NULL,
	external_id    TEXT             NOT NULL,
	from_us        BIGINT           NOT NULL,
	to_us          BIGINT           NOT NULL,
	lat            DOUBLE PRECISION,
	lon            DOUBLE PRECISION,
	radius_km      DOUBLE PRECISION NOT NULL,
	admin1         TEXT             NOT NULL,
	region         TEXT             NOT NULL,
	confidence     TEXT             NOT NULL,
	attributes     TEXT             NOT NULL,
	received_at_us BIGINT           NOT NULL,
	log_index      BIGINT           NOT NULL
);
INSERT INTO observations SELECT * FROM observations_0010 ORDER BY id;
DROP TABLE observations_0010;
CREATE UNIQUE INDEX observations_external ON observations (source, external_id);
CREATE INDEX observations_time ON observations (from_us);
CREATE INDEX observations_place ON observations (lat, lon);
CREATE INDEX observations_admin1 ON observations (admin1, from_us);

-- A bulk import into an empty or small table drops the table's plain
-- indexes and builds them again at the end: one sort each instead of a
-- random b-tree insert per row and index (see DeferIndexes). Each dropped
-- index is written here first, in the same transaction, and removed in
-- the one that builds it again; Open builds any left by an import that
-- was killed, so the schema is whole again before anything else runs.
CREATE TABLE deferred_indexes (
	name       TEXT PRIMARY KEY,
	table_name TEXT NOT NULL,
	sql        TEXT NOT NULL
);

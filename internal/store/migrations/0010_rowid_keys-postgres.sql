-- 0010_rowid_keys: on SQLite, reports and observations take their id as
-- the rowid (see the -sqlite file). PostgreSQL has no rowid: its primary
-- keys already are their own index, and nothing changes there.
--
-- deferred_indexes is where a bulk import on SQLite records the indexes
-- it put off (DeferIndexes). PostgreSQL never defers, but has the table
-- too, so that both dialects hold the same tables (db copy goes table by
-- table).
CREATE TABLE deferred_indexes (
	name       TEXT PRIMARY KEY,
	table_name TEXT NOT NULL,
	sql        TEXT NOT NULL
);

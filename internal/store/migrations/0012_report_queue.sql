-- 0012_report_queue: on PostgreSQL, CreateReport first commits the report
-- here, without the log's lock, so that writers on every node commit at
-- once; a sequencer then moves every queued report into the log under the
-- lock, in one transaction, and records each one's outcome for its writer
-- (report_queue.go). SQLite, which has one writer, never uses the table;
-- it has it too, so that both dialects hold the same tables. Not logged,
-- and not copied by db copy: a queue row is coordination between
-- processes, the report it becomes is the record.
CREATE TABLE report_queue (
	token        TEXT   PRIMARY KEY, -- random, chosen by the writer
	queued_us    BIGINT NOT NULL,    -- wall clock: sequencing order
	submitted_by TEXT   NOT NULL,    -- the report's key, for the duplicate check
	external_id  TEXT,
	payload      BYTEA  NOT NULL,    -- the normalized report, JSON
	t0_us        BIGINT NOT NULL,    -- its occurrence as instants
	t1_us        BIGINT NOT NULL,
	report_id    BIGINT,             -- outcome: the stored report
	created      BOOLEAN,            -- outcome: stored now, not found stored
	failure      TEXT,               -- outcome: why it could not be stored
	done_us      BIGINT              -- wall clock when sequenced; NULL while queued
);
CREATE INDEX report_queue_pending ON report_queue (queued_us, token) WHERE done_us IS NULL;
CREATE INDEX report_queue_done ON report_queue (done_us) WHERE done_us IS NOT NULL;

-- 0001_init: the initial schema, shared by both dialects. For SQLite the
-- migrator rewrites "BIGINT PRIMARY KEY" to "INTEGER PRIMARY KEY" (a rowid
-- alias) and BYTEA to BLOB; nothing else differs.
--
-- Conventions: times are BIGINT microseconds since the epoch, UTC (exact
-- and portable); ids are assigned by the store under the log's write lock
-- (no sequences: consecutive ids per batch on every database); lists that
-- are only read back are TEXT holding JSON, NULL when empty; every logged
-- record keeps log_index, the leaf that holds it.

-- The Merkle log (RFC 6962, golang.org/x/mod/sumdb/tlog).
CREATE TABLE log_entries (
	idx       BIGINT PRIMARY KEY,
	kind      TEXT   NOT NULL,
	record_id TEXT   NOT NULL,
	at_us     BIGINT NOT NULL,
	data      BYTEA  NOT NULL
);

-- tlog's stored hashes, by tlog.StoredHashIndex.
CREATE TABLE log_hashes (
	idx  BIGINT PRIMARY KEY,
	hash BYTEA  NOT NULL
);

CREATE TABLE checkpoints (
	size  BIGINT PRIMARY KEY,
	root  BYTEA  NOT NULL,
	note  BYTEA  NOT NULL,
	at_us BIGINT NOT NULL
);

-- Parties: the current row, and every version that was logged.
CREATE TABLE parties (
	code    TEXT    PRIMARY KEY,
	seq     BIGINT  NOT NULL UNIQUE, -- first-insertion order
	version INTEGER NOT NULL
);

CREATE TABLE party_versions (
	code          TEXT    NOT NULL REFERENCES parties (code),
	version       INTEGER NOT NULL,
	name          TEXT    NOT NULL,
	aliases       TEXT,
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (code, version)
);

-- Agreements: one row each, pointing at the latest of their versions.
CREATE TABLE agreements (
	id      TEXT    PRIMARY KEY,
	seq     BIGINT  NOT NULL UNIQUE, -- first-insertion order
	version INTEGER NOT NULL,
	status  TEXT    NOT NULL         -- the latest version's
);

CREATE TABLE agreement_versions (
	agreement_id  TEXT    NOT NULL REFERENCES agreements (id),
	version       INTEGER NOT NULL,
	data          TEXT    NOT NULL, -- the whole truce.Agreement, JSON
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (agreement_id, version)
);

CREATE TABLE status_changes (
	id           BIGINT PRIMARY KEY,
	agreement_id TEXT   NOT NULL REFERENCES agreements (id),
	status       TEXT   NOT NULL,
	at_us        BIGINT NOT NULL, -- when the status took effect
	reason       TEXT   NOT NULL,
	by_user      TEXT   NOT NULL,
	logged_at_us BIGINT NOT NULL,
	log_index    BIGINT NOT NULL
);
CREATE INDEX status_changes_agreement ON status_changes (agreement_id, id);

-- Incidents group reports; their workflow tables (transitions, replies)
-- come with the incident code.
CREATE TABLE incidents (
	id            BIGINT           PRIMARY KEY,
	status        TEXT             NOT NULL,
	version       INTEGER          NOT NULL,
	from_us       BIGINT           NOT NULL,
	to_us         BIGINT           NOT NULL,
	lat           DOUBLE PRECISION NOT NULL,
	lon           DOUBLE PRECISION NOT NULL,
	radius_km     DOUBLE PRECISION NOT NULL,
	admin1        TEXT             NOT NULL,
	domains       TEXT             NOT NULL,
	targets       TEXT,
	perpetrators  TEXT,
	title         TEXT             NOT NULL,
	sources       INTEGER          NOT NULL,
	score         DOUBLE PRECISION NOT NULL,
	created_at_us BIGINT           NOT NULL,
	updated_at_us BIGINT           NOT NULL
);
CREATE INDEX incidents_time ON incidents (from_us);
CREATE INDEX incidents_status ON incidents (status, id);

CREATE TABLE reports (
	id             BIGINT           PRIMARY KEY,
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
CREATE UNIQUE INDEX reports_external ON reports (submitted_by, external_id);
CREATE INDEX reports_time ON reports (t0_us);
CREATE INDEX reports_place ON reports (lat, lon);
CREATE INDEX reports_source_kind ON reports (source_kind, t0_us);
CREATE INDEX reports_incident ON reports (incident_id) WHERE incident_id IS NOT NULL;

-- Perpetrators again, one row each, so that reports can be filtered by party.
CREATE TABLE report_perpetrators (
	party     TEXT   NOT NULL,
	report_id BIGINT NOT NULL REFERENCES reports (id),
	PRIMARY KEY (party, report_id)
);

CREATE TABLE observations (
	id             BIGINT           PRIMARY KEY,
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
CREATE UNIQUE INDEX observations_external ON observations (source, external_id);
CREATE INDEX observations_time ON observations (from_us);
CREATE INDEX observations_place ON observations (lat, lon);
CREATE INDEX observations_admin1 ON observations (admin1, from_us);

CREATE TABLE claims (
	id             BIGINT  PRIMARY KEY,
	dedupe_key     TEXT    NOT NULL UNIQUE, -- SHA-256 of claimant, accused, from, to, summary: a summary is too long for a btree key
	claimant       TEXT    NOT NULL,
	accused        TEXT    NOT NULL,
	agreement_id   TEXT    REFERENCES agreements (id),
	from_us        BIGINT  NOT NULL,
	to_us          BIGINT  NOT NULL,
	means          TEXT,
	summary        TEXT    NOT NULL,
	source         TEXT    NOT NULL, -- truce.Source, JSON
	illustrative   BOOLEAN NOT NULL,
	recorded_at_us BIGINT  NOT NULL,
	recorded_by    TEXT    NOT NULL,
	log_index      BIGINT  NOT NULL
);

-- Every finding value that was logged; findings points at the current one.
CREATE TABLE finding_history (
	id                BIGINT  PRIMARY KEY,
	agreement_id      TEXT    NOT NULL REFERENCES agreements (id),
	agreement_version INTEGER NOT NULL,
	subject_kind      TEXT    NOT NULL,
	subject_id        BIGINT  NOT NULL,
	verdict           TEXT    NOT NULL,
	party             TEXT    NOT NULL,
	reason            TEXT    NOT NULL,
	computed_at_us    BIGINT  NOT NULL,
	logged_at_us      BIGINT  NOT NULL,
	log_index         BIGINT  NOT NULL
);

CREATE TABLE findings (
	agreement_id TEXT   NOT NULL REFERENCES agreements (id),
	subject_kind TEXT   NOT NULL,
	subject_id   BIGINT NOT NULL,
	history_id   BIGINT NOT NULL REFERENCES finding_history (id),
	PRIMARY KEY (agreement_id, subject_kind, subject_id)
);
CREATE INDEX findings_subject ON findings (subject_kind, subject_id);

-- 0005_negotiation: the negotiation track. Shared by both dialects.
--
-- Issues, preconditions, events and drafts change over time and keep every
-- version: a head row points at the latest version, and each version holds
-- the whole record as JSON (data), exactly as it was logged. Statements are
-- never edited and have one row each. dedupe_key makes creating the same
-- record twice (a demo loaded twice) a no-op; it is NULL where a record is
-- named by its own code.

CREATE TABLE negotiation_issues (
	code       TEXT    PRIMARY KEY,
	seq        BIGINT  NOT NULL UNIQUE, -- first-insertion order
	version    INTEGER NOT NULL,
	dedupe_key TEXT    UNIQUE
);

CREATE TABLE negotiation_issue_versions (
	code          TEXT    NOT NULL REFERENCES negotiation_issues (code),
	version       INTEGER NOT NULL,
	data          TEXT    NOT NULL, -- truce.NegotiationIssue, JSON
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (code, version)
);

CREATE TABLE negotiation_statements (
	id             BIGINT PRIMARY KEY,
	dedupe_key     TEXT   NOT NULL UNIQUE,
	party          TEXT   NOT NULL REFERENCES parties (code),
	issue          TEXT   NOT NULL REFERENCES negotiation_issues (code),
	date           TEXT   NOT NULL, -- YYYY-MM-DD
	data           TEXT   NOT NULL, -- truce.Statement, JSON
	recorded_at_us BIGINT NOT NULL,
	log_index      BIGINT NOT NULL
);
CREATE INDEX negotiation_statements_position ON negotiation_statements (party, issue, date, id);
CREATE INDEX negotiation_statements_date ON negotiation_statements (date, id);

CREATE TABLE negotiation_preconditions (
	id         BIGINT  PRIMARY KEY,
	seq        BIGINT  NOT NULL UNIQUE,
	version    INTEGER NOT NULL,
	dedupe_key TEXT    UNIQUE
);

CREATE TABLE negotiation_precondition_versions (
	id            BIGINT  NOT NULL REFERENCES negotiation_preconditions (id),
	version       INTEGER NOT NULL,
	data          TEXT    NOT NULL, -- truce.Precondition, JSON
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE negotiation_events (
	id         BIGINT  PRIMARY KEY,
	seq        BIGINT  NOT NULL UNIQUE,
	version    INTEGER NOT NULL,
	dedupe_key TEXT    UNIQUE
);

CREATE TABLE negotiation_event_versions (
	id            BIGINT  NOT NULL REFERENCES negotiation_events (id),
	version       INTEGER NOT NULL,
	data          TEXT    NOT NULL, -- truce.NegotiationEvent, JSON
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE negotiation_drafts (
	id         TEXT    PRIMARY KEY,
	seq        BIGINT  NOT NULL UNIQUE,
	version    INTEGER NOT NULL,
	dedupe_key TEXT    UNIQUE
);

CREATE TABLE negotiation_draft_versions (
	id            TEXT    NOT NULL REFERENCES negotiation_drafts (id),
	version       INTEGER NOT NULL,
	data          TEXT    NOT NULL, -- truce.Draft, JSON
	created_at_us BIGINT  NOT NULL,
	created_by    TEXT    NOT NULL,
	log_index     BIGINT  NOT NULL,
	PRIMARY KEY (id, version)
);

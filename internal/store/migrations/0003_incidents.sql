-- 0003_incidents: grouping reports into incidents, the monitors' grouping
-- decisions, the verification workflow and the right of reply. Shared by
-- both dialects (the migrator maps BIGINT PRIMARY KEY and BYTEA for SQLite).

-- The incident row is the current state; every logged state is also kept
-- in incident_states (grouping) or incident_transitions (workflow).
ALTER TABLE incidents ADD COLUMN merged_into BIGINT REFERENCES incidents (id); -- all its reports went there
ALTER TABLE incidents ADD COLUMN hostile BOOLEAN NOT NULL DEFAULT TRUE;       -- some report is a hostile act
ALTER TABLE incidents ADD COLUMN by_unit BOOLEAN NOT NULL DEFAULT FALSE;      -- placed by an admin-1 unit alone
ALTER TABLE incidents ADD COLUMN corroboration TEXT;                           -- incident.Corroboration, JSON (derived)
ALTER TABLE incidents ADD COLUMN explanation TEXT;                             -- []incident.Membership, JSON (derived)

-- One grouping run or decision: automatic (new reports, a full regroup)
-- or a monitor's split or merge. Logged as one incident_grouping leaf.
CREATE TABLE groupings (
	id        BIGINT PRIMARY KEY,
	kind      TEXT   NOT NULL, -- new, regroup, split, merge
	by_user   TEXT   NOT NULL,
	reason    TEXT   NOT NULL,
	report_id BIGINT,          -- split: the report taken out
	incidents TEXT,            -- merge: the two incidents, JSON
	at_us     BIGINT NOT NULL,
	log_index BIGINT NOT NULL
);

-- The reports a decision names: for a split those it keeps the report
-- apart from, for a merge those it keeps together. Never changed: what is
-- in force follows from the decisions in order (incident.InForce).
CREATE TABLE grouping_reports (
	grouping_id BIGINT NOT NULL REFERENCES groupings (id),
	report_id   BIGINT NOT NULL REFERENCES reports (id),
	PRIMARY KEY (grouping_id, report_id)
);

-- Every state of an incident a grouping wrote, as logged.
CREATE TABLE incident_states (
	incident_id BIGINT  NOT NULL REFERENCES incidents (id),
	version     INTEGER NOT NULL,
	grouping_id BIGINT  NOT NULL REFERENCES groupings (id),
	data        TEXT    NOT NULL, -- store.IncidentState, JSON
	PRIMARY KEY (incident_id, version)
);
CREATE INDEX incident_states_grouping ON incident_states (grouping_id, incident_id);

CREATE TABLE incident_transitions (
	id          BIGINT  PRIMARY KEY,
	incident_id BIGINT  NOT NULL REFERENCES incidents (id),
	version     INTEGER NOT NULL, -- the incident's version after the step
	from_status TEXT    NOT NULL,
	to_status   TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	evidence    TEXT,             -- SHA-256 digests, JSON
	by_user     TEXT    NOT NULL,
	at_us       BIGINT  NOT NULL,
	log_index   BIGINT  NOT NULL
);
CREATE INDEX incident_transitions_incident ON incident_transitions (incident_id, id);

CREATE TABLE incident_replies (
	id          BIGINT PRIMARY KEY,
	incident_id BIGINT NOT NULL REFERENCES incidents (id),
	party       TEXT   NOT NULL,
	body        TEXT   NOT NULL,
	status      TEXT   NOT NULL,
	by_user     TEXT   NOT NULL,
	at_us       BIGINT NOT NULL,
	log_index   BIGINT NOT NULL
);
CREATE INDEX incident_replies_incident ON incident_replies (incident_id, id);

-- Grouping looks for reports whose interval reaches a window: by end as
-- well as by start (reports_time), so that recent windows read little.
CREATE INDEX reports_t1 ON reports (t1_us);
CREATE INDEX reports_ungrouped ON reports (id) WHERE incident_id IS NULL;

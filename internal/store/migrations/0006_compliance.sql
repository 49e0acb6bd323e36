-- 0006_compliance: alert rules and their alerts, and the places monitors
-- were denied access to. Each row keeps the whole logged record as JSON
-- (data), so that re-encoding it reproduces its leaf byte for byte; the
-- other columns are what queries filter on.

CREATE TABLE alert_rules (
	id           BIGINT PRIMARY KEY,
	agreement_id TEXT   NOT NULL REFERENCES agreements (id),
	kind         TEXT   NOT NULL,
	data         TEXT   NOT NULL, -- truce.AlertRule, JSON
	at_us        BIGINT NOT NULL,
	log_index    BIGINT NOT NULL
);

-- One row per step of an alert: opened, acknowledged, cleared.
CREATE TABLE alerts (
	id        BIGINT PRIMARY KEY,
	rule_id   BIGINT NOT NULL REFERENCES alert_rules (id),
	event     TEXT   NOT NULL,
	opened_id BIGINT,          -- acknowledged, cleared: the alert that opened
	data      TEXT   NOT NULL, -- truce.Alert, JSON
	at_us     BIGINT NOT NULL,
	log_index BIGINT NOT NULL
);
CREATE INDEX alerts_rule ON alerts (rule_id, id);
CREATE INDEX alerts_opened ON alerts (opened_id);

CREATE TABLE access_restrictions (
	id           BIGINT PRIMARY KEY,
	agreement_id TEXT   REFERENCES agreements (id),
	at_us        BIGINT NOT NULL, -- when access was denied
	data         TEXT   NOT NULL, -- truce.AccessRestriction, JSON
	log_index    BIGINT NOT NULL
);
CREATE INDEX access_restrictions_time ON access_restrictions (at_us);

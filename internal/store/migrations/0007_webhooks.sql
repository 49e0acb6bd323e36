-- 0007_webhooks: outbound webhooks and every delivery attempt. Not in the
-- tamper-evident log: webhooks are the server's plumbing, not records of
-- the mission, their secrets must never reach a public log, and a logged
-- delivery would itself be an event to deliver.
CREATE TABLE webhooks (
	id            BIGINT  PRIMARY KEY,
	url           TEXT    NOT NULL,
	secret        TEXT    NOT NULL, -- the HMAC key; kept as is, since signing needs it
	kinds         TEXT    NOT NULL, -- event kinds, JSON list; [] for every kind
	active        BOOLEAN NOT NULL,
	created_by    TEXT    NOT NULL,
	created_at_us BIGINT  NOT NULL,
	next_index    BIGINT  NOT NULL  -- the first log leaf not yet handled
);

CREATE TABLE webhook_deliveries (
	id          BIGINT  PRIMARY KEY,
	webhook_id  BIGINT  NOT NULL REFERENCES webhooks (id),
	event_id    BIGINT  NOT NULL, -- the leaf index, sent as X-Truce-Delivery
	kind        TEXT    NOT NULL,
	attempt     INTEGER NOT NULL, -- 1 for the first try
	status_code INTEGER NOT NULL, -- the receiver's HTTP status; 0 for none
	error       TEXT    NOT NULL, -- why the attempt failed; empty if it succeeded
	ok          BOOLEAN NOT NULL,
	at_us       BIGINT  NOT NULL,
	duration_us BIGINT  NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- 0004_auth: users and their credentials. Users are logged records (leaf
-- kind "user", record id "id@version", the truce.User without any
-- credential); credentials are not: password hashes (argon2id, PHC
-- strings), API tokens and sessions are kept here only, and tokens and
-- sessions only as SHA-256 digests, so that a copy of the database lets
-- no one in.
CREATE TABLE users (
	id            BIGINT  PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	version       INTEGER NOT NULL,
	role          TEXT    NOT NULL,
	party         TEXT,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	password_hash TEXT,             -- NULL: no password sign-in
	created_at_us BIGINT  NOT NULL
);

-- Every logged version of a user.
CREATE TABLE user_versions (
	user_id    BIGINT  NOT NULL REFERENCES users (id),
	version    INTEGER NOT NULL,
	data       TEXT    NOT NULL, -- truce.User, JSON, as logged
	by_user    TEXT    NOT NULL,
	at_us      BIGINT  NOT NULL,
	log_index  BIGINT  NOT NULL,
	PRIMARY KEY (user_id, version)
);

CREATE TABLE api_tokens (
	id            BIGINT PRIMARY KEY,
	user_id       BIGINT NOT NULL REFERENCES users (id),
	hash          BYTEA  NOT NULL UNIQUE, -- SHA-256 of the token
	created_at_us BIGINT NOT NULL,
	revoked_at_us BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
	hash          BYTEA  PRIMARY KEY, -- SHA-256 of the cookie's value
	user_id       BIGINT NOT NULL REFERENCES users (id),
	created_at_us BIGINT NOT NULL,
	expires_at_us BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at_us);

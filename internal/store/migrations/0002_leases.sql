-- 0002_leases: which process runs each background job (store.Lead), so
-- that a job runs on one node of several. Not logged: a lease is
-- coordination between processes, not a record of the mission.
CREATE TABLE leases (
	job        TEXT   PRIMARY KEY,
	holder     TEXT   NOT NULL, -- host/pid/random of the process holding it
	expires_us BIGINT NOT NULL  -- wall clock, microseconds since the epoch
);

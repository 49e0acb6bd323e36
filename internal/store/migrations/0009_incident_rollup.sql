-- 0009_incident_rollup: incident counts kept up to date beside the
-- incidents, so that statistics read a few thousand rows instead of
-- grouping a million incidents (issue #6: p99 under 50 ms at 1M).
--
-- One row counts the live incidents (merged_into IS NULL) that share a
-- grouping's raw value (gkey), their first and last UTC day (days since
-- the epoch, floored), their status and, against an agreement, their
-- verdict. grp is the raw column the value comes from: perpetrators (the
-- JSON list, '' for none), domains (the JSON list) and admin1 for every
-- incident (agreement_id ''); party (the finding's responsible party),
-- domains and admin1 for the incidents an agreement's finding holds as a
-- violation or uncertain (agreement_id, verdict). Every incident counts
-- once per grp, so a grp's rows also give the total, and admin1's rows
-- give the count by day. The store keeps the rows in the transactions
-- that write incidents, transitions and findings (stats_rollup.go).
CREATE TABLE incident_rollup (
	agreement_id TEXT   NOT NULL,
	grp          TEXT   NOT NULL,
	from_day     BIGINT NOT NULL,
	to_day       BIGINT NOT NULL,
	gkey         TEXT   NOT NULL,
	status       TEXT   NOT NULL,
	verdict      TEXT   NOT NULL,
	n            BIGINT NOT NULL,
	PRIMARY KEY (agreement_id, grp, from_day, to_day, gkey, status, verdict)
);

-- Statistics count the incidents of the two edge days of a window
-- directly: those that start on the last day (incidents_time) and those
-- that end on the first (this one).
CREATE INDEX incidents_end ON incidents (to_us);

-- The longest incident bounds how far before a window an overlapping
-- incident may start, so that a time-filtered list reads one range of
-- incidents_time instead of everything before the window's end.
CREATE INDEX incidents_span ON incidents ((to_us - from_us));

-- The incident list filtered by time and a bounding box reads the page's
-- ids from this index alone (covering: no row is read that the filter
-- drops), then the page's rows.
CREATE INDEX incidents_window ON incidents (from_us, to_us, lat, lon, merged_into, id);

-- The backfill of existing databases. A day is floor(us / 86400000000),
-- written with % so that it floors before 1970 on both dialects.
INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT '', 'perpetrators',
	(from_us - (((from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(to_us - (((to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	COALESCE(perpetrators, ''), status, '', COUNT(*)
FROM incidents WHERE merged_into IS NULL
GROUP BY 3, 4, 5, 6;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT '', 'domains',
	(from_us - (((from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(to_us - (((to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	domains, status, '', COUNT(*)
FROM incidents WHERE merged_into IS NULL
GROUP BY 3, 4, 5, 6;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT '', 'admin1',
	(from_us - (((from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(to_us - (((to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	admin1, status, '', COUNT(*)
FROM incidents WHERE merged_into IS NULL
GROUP BY 3, 4, 5, 6;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT f.agreement_id, 'party',
	(i.from_us - (((i.from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(i.to_us - (((i.to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	h.party, i.status, h.verdict, COUNT(*)
FROM incidents i
JOIN findings f ON f.subject_kind = 'incident' AND f.subject_id = i.id
JOIN finding_history h ON h.id = f.history_id
WHERE i.merged_into IS NULL AND h.verdict <> 'outside'
GROUP BY 1, 3, 4, 5, 6, 7;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT f.agreement_id, 'domains',
	(i.from_us - (((i.from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(i.to_us - (((i.to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	i.domains, i.status, h.verdict, COUNT(*)
FROM incidents i
JOIN findings f ON f.subject_kind = 'incident' AND f.subject_id = i.id
JOIN finding_history h ON h.id = f.history_id
WHERE i.merged_into IS NULL AND h.verdict <> 'outside'
GROUP BY 1, 3, 4, 5, 6, 7;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT f.agreement_id, 'admin1',
	(i.from_us - (((i.from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(i.to_us - (((i.to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	i.admin1, i.status, h.verdict, COUNT(*)
FROM incidents i
JOIN findings f ON f.subject_kind = 'incident' AND f.subject_id = i.id
JOIN finding_history h ON h.id = f.history_id
WHERE i.merged_into IS NULL AND h.verdict <> 'outside'
GROUP BY 1, 3, 4, 5, 6, 7;

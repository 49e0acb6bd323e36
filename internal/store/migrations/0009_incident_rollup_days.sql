-- 0009_incident_rollup_days: the rollup of 0009_incident_rollup gains a
-- count by day in the fewest rows (grp 'day', gkey ''), which by admin1
-- took a row per admin-1 unit and day, and an index that reads the counts
-- of all time in the order they are summed, from the index alone.
CREATE INDEX incident_rollup_key ON incident_rollup (agreement_id, grp, gkey, status, verdict, from_day, to_day, n);

-- The backfill (days floored as in 0009).
INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT '', 'day',
	(from_us - (((from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(to_us - (((to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	'', status, '', COUNT(*)
FROM incidents WHERE merged_into IS NULL
GROUP BY 3, 4, 5, 6;

INSERT INTO incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n)
SELECT f.agreement_id, 'day',
	(i.from_us - (((i.from_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	(i.to_us - (((i.to_us % 86400000000) + 86400000000) % 86400000000)) / 86400000000,
	'', i.status, h.verdict, COUNT(*)
FROM incidents i
JOIN findings f ON f.subject_kind = 'incident' AND f.subject_id = i.id
JOIN finding_history h ON h.id = f.history_id
WHERE i.merged_into IS NULL AND h.verdict <> 'outside'
GROUP BY 1, 3, 4, 5, 6, 7;

-- 0011_rollup_window: statistics over a window read the rollup rows of
-- the window's days only. incident_rollup_key orders a grouping's rows by
-- value first, so a window read all of them (7,000 rows at 1M incidents,
-- half the CPU of GET /stats over 30 days); this one orders them by first
-- day, which Stats bounds on both sides (the longest incident's span
-- before the window), and covers the count.
CREATE INDEX incident_rollup_window ON incident_rollup (agreement_id, grp, from_day, to_day, gkey, status, verdict, n);

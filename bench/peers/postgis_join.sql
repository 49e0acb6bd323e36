-- The PostGIS peer's join: one query giving, for every (event, agreement)
-- pair, the contract's verdict (ADJUDICATION.md section 3) for UCDP events,
-- counted by agreement and verdict. Output columns: scope,agreement,test,
-- value,n (test is always "verdict").
-- psql variables: energy (the energy keyword regex from prep.py),
-- energy_like (its LIKE prefilter) and sub: counts are given for all events
-- (scope "all") and for those with id <= sub (scope "sub", the sample the
-- geopandas peer runs on).
--
-- The spatial work is done once per event and area, not per pair: two
-- index-driven joins find the areas whose boundary lies within the event's
-- radius (great circle, found through the projection postgis_load.sql
-- defines) and the areas that
-- contain the point (in longitude/latitude), folded into one bit mask per
-- event (bit i: area of agreement i). A disk lies inside an area when the
-- point is inside and no boundary is within r; it misses the area when the
-- point is outside and no boundary is within r; otherwise it crosses.
-- Everything that depends on the event alone is computed once per event
-- (MATERIALIZED), then the 10 tests of each pair are plain comparisons.
WITH
actors AS (
  SELECT actor, lower(btrim(regexp_replace(btrim(actor), '\s*\(\s*\d{4}\s*-\s*(\d{4})?\s*\)$', ''))) AS norm
  FROM (SELECT side_a AS actor FROM events UNION SELECT side_b FROM events) s
  WHERE btrim(actor) <> ''),
matches AS (
  SELECT a.actor, p.code, max(length(p.label)) AS len
  FROM actors a JOIN parties p
    ON a.norm = lower(p.label) OR (p.kind <> 'code' AND starts_with(a.norm, lower(p.label) || ' '))
  GROUP BY 1, 2),
actor_party AS (
  -- the longest matching name wins; a tie between parties leaves the actor unknown
  SELECT actor, CASE WHEN count(*) FILTER (WHERE len = top) = 1 THEN min(code) FILTER (WHERE len = top) END AS party
  FROM (SELECT *, max(len) OVER (PARTITION BY actor) AS top FROM matches) m
  GROUP BY actor),
zones AS (
  SELECT country, CASE lower(btrim(regexp_replace(country, '\s*\([^)]*\)\s*$', '')))
    WHEN 'ukraine' THEN 'Europe/Kyiv' WHEN 'russia' THEN 'Europe/Moscow' WHEN 'belarus' THEN 'Europe/Minsk'
    ELSE 'UTC' END AS tz
  FROM (SELECT DISTINCT country FROM events) c),
near AS (
  -- per event: a GiST probe of the boundary pieces within its radius in the
  -- projection, whose distances are within 0.2% of the sphere's here; a
  -- distance within 0.5% of r is rechecked on the sphere (geography), so
  -- the answer is the contract's great-circle one
  SELECT e.id, bit_or(1::bigint << g.idx) AS mask
  FROM events e JOIN area_edges g ON ST_DWithin(g.geom, e.geom_p, e.r_m * 1.005)
    AND (ST_DWithin(g.geom, e.geom_p, e.r_m * 0.995) OR ST_DWithin(g.geog, e.geom::geography, e.r_m, false))
  GROUP BY e.id),
within AS (
  -- per area piece: a GiST probe of the events' points (the piece stays the
  -- same across its probes, so PostGIS keeps it prepared); OFFSET 0 keeps the
  -- planner from turning the loop around
  SELECT e.id, bit_or(1::bigint << p.idx) AS mask
  FROM area_parts p CROSS JOIN LATERAL (
    SELECT e.id FROM events e WHERE ST_Intersects(p.geom, e.geom) OFFSET 0) e
  GROUP BY e.id),
ev AS MATERIALIZED (
  SELECT e.id, e.where_prec,
    e.date_start::timestamp AT TIME ZONE z.tz AS t0,
    (e.date_end + 1)::timestamp AT TIME ZONE z.tz AS t1,
    CASE WHEN e.where_prec = 7 THEN '{air,sea}'::text[] ELSE '{land,air}'::text[] END AS domains,
    coalesce(lower(e.source_headline) LIKE ANY (:'energy_like') AND e.source_headline ~* :'energy', false)
      OR coalesce(lower(e.where_description) LIKE ANY (:'energy_like') AND e.where_description ~* :'energy', false) AS energy,
    e.type_of_violence = 3 AS civilian,
    -- perpetrators: side_a, and side_b unless one-sided violence; blanks ignored
    CASE WHEN btrim(coalesce(e.side_a, '')) <> '' THEN 1 ELSE 0 END
      + CASE WHEN e.type_of_violence <> 3 AND btrim(coalesce(e.side_b, '')) <> '' THEN 1 ELSE 0 END AS nperp,
    pa.party AS party_a,
    CASE WHEN e.type_of_violence <> 3 THEN pb.party END AS party_b,
    coalesce(n.mask, 0) AS near, coalesce(w.mask, 0) AS within
  FROM events e
  JOIN zones z ON z.country IS NOT DISTINCT FROM e.country
  LEFT JOIN actor_party pa ON pa.actor = e.side_a
  LEFT JOIN actor_party pb ON pb.actor = e.side_b
  LEFT JOIN near n ON n.id = e.id
  LEFT JOIN within w ON w.id = e.id),
tests AS (
  SELECT a.id AS agreement, ev.id <= :sub AS insub,
    CASE WHEN ev.t0 >= a.start_utc AND (a.end_utc IS NULL OR ev.t1 <= a.end_utc) THEN 'i'
         WHEN ev.t1 <= a.start_utc OR ev.t0 >= a.end_utc THEN 'o' ELSE 'u' END AS t,
    CASE WHEN NOT a.has_area THEN 'i' WHEN ev.where_prec = 7 THEN 'u'
         WHEN ev.near & a.bit <> 0 THEN 'u' WHEN ev.within & a.bit <> 0 THEN 'i' ELSE 'o' END AS p,
    CASE WHEN ev.domains <@ a.domains THEN 'i' WHEN NOT ev.domains && a.domains THEN 'o' ELSE 'u' END AS d,
    CASE WHEN 'any' = ANY (a.targets) OR ('energy' = ANY (a.targets) AND ev.energy)
           OR ('civilian' = ANY (a.targets) AND ev.civilian) THEN 'i' ELSE 'o' END AS g,
    CASE WHEN ev.nperp = 0 THEN 'u'
         WHEN coalesce((ev.party_a = ANY (a.bound))::int, 0) + coalesce((ev.party_b = ANY (a.bound))::int, 0) = ev.nperp THEN 'i'
         WHEN coalesce(ev.party_a = ANY (a.bound), false) OR coalesce(ev.party_b = ANY (a.bound), false) THEN 'u'
         ELSE 'o' END AS b
  FROM ev
  CROSS JOIN (SELECT idx, 1::bigint << idx AS bit, id, start_utc, end_utc, has_area,
                     string_to_array(domains, '|') AS domains, string_to_array(targets, '|') AS targets,
                     string_to_array(bound, '|') AS bound
              FROM agreements) a)
SELECT s.scope, agreement, 'verdict' AS test, v AS value, s.n
FROM (SELECT agreement,
        CASE WHEN 'o' IN (t, p, d, g, b) THEN 'outside'
             WHEN t = 'i' AND p = 'i' AND d = 'i' AND g = 'i' AND b = 'i' THEN 'violation'
             ELSE 'uncertain' END AS v,
        count(*) AS n_all, count(*) FILTER (WHERE insub) AS n_sub
      FROM tests GROUP BY 1, 2) c
CROSS JOIN LATERAL (VALUES ('all', n_all), ('sub', n_sub)) s (scope, n)
WHERE s.n > 0
ORDER BY 1, 2, 4;

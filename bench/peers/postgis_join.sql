-- The PostGIS peer's join: one query giving, for every (event, agreement)
-- pair, the contract's verdict (ADJUDICATION.md section 3) for UCDP events,
-- counted by agreement and verdict, with the place and time tests counted
-- on their own too (to compare the peers test by test). Output columns:
-- scope,agreement,test,value,n.
-- psql variables: energy (the energy keyword regex from prep.py),
-- energy_like (its LIKE prefilter) and sub: counts are given for all events
-- (scope "all") and for those with id <= sub (scope "sub", the sample the
-- geopandas peer runs on).
--
-- The spatial work is done once per event and area, not per pair: two
-- index-driven joins find the areas whose boundary lies within the event's
-- radius (in the projection postgis_load.sql defines) and the areas that
-- contain the point (in longitude/latitude). Then
-- a disk lies inside an area when the point is inside and no boundary is
-- within r; it misses the area when the point is outside and no boundary is
-- within r; otherwise it crosses.
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
ev AS MATERIALIZED ( -- once per event, not once per pair
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
    CASE WHEN e.type_of_violence <> 3 THEN pb.party END AS party_b
  FROM events e
  LEFT JOIN actor_party pa ON pa.actor = e.side_a
  LEFT JOIN actor_party pb ON pb.actor = e.side_b
  CROSS JOIN LATERAL (SELECT CASE lower(btrim(regexp_replace(e.country, '\s*\([^)]*\)\s*$', '')))
    WHEN 'ukraine' THEN 'Europe/Kyiv' WHEN 'russia' THEN 'Europe/Moscow' WHEN 'belarus' THEN 'Europe/Minsk'
    ELSE 'UTC' END AS tz) z),
near AS (
  SELECT DISTINCT e.id, g.idx FROM events e JOIN area_edges g ON ST_DWithin(g.geom, e.geom_p, e.r_m)),
within AS (
  SELECT DISTINCT e.id, p.idx FROM events e JOIN area_parts p ON ST_Intersects(p.geom, e.geom)),
tests AS (
  SELECT a.id AS agreement, ev.id <= :sub AS insub,
    CASE WHEN ev.t0 >= a.start_utc AND (a.end_utc IS NULL OR ev.t1 <= a.end_utc) THEN 'i'
         WHEN ev.t1 <= a.start_utc OR ev.t0 >= a.end_utc THEN 'o' ELSE 'u' END AS t,
    CASE WHEN NOT a.has_area THEN 'i' WHEN ev.where_prec = 7 THEN 'u'
         WHEN n.id IS NOT NULL THEN 'u' WHEN w.id IS NOT NULL THEN 'i' ELSE 'o' END AS p,
    CASE WHEN ev.domains <@ a.domains THEN 'i' WHEN NOT ev.domains && a.domains THEN 'o' ELSE 'u' END AS d,
    CASE WHEN 'any' = ANY (a.targets) OR ('energy' = ANY (a.targets) AND ev.energy)
           OR ('civilian' = ANY (a.targets) AND ev.civilian) THEN 'i' ELSE 'o' END AS g,
    CASE WHEN ev.nperp = 0 THEN 'u'
         WHEN coalesce((ev.party_a = ANY (a.bound))::int, 0) + coalesce((ev.party_b = ANY (a.bound))::int, 0) = ev.nperp THEN 'i'
         WHEN coalesce(ev.party_a = ANY (a.bound), false) OR coalesce(ev.party_b = ANY (a.bound), false) THEN 'u'
         ELSE 'o' END AS b
  FROM ev
  CROSS JOIN (SELECT idx, id, start_utc, end_utc, has_area, string_to_array(domains, '|') AS domains,
                     string_to_array(targets, '|') AS targets, string_to_array(bound, '|') AS bound
              FROM agreements) a
  LEFT JOIN near n ON n.id = ev.id AND n.idx = a.idx
  LEFT JOIN within w ON w.id = ev.id AND w.idx = a.idx)
SELECT scope, agreement, test, value, n FROM (
  SELECT CASE WHEN GROUPING(insub) = 0 THEN 'sub' ELSE 'all' END AS scope, insub, agreement,
    CASE WHEN GROUPING(v) = 0 THEN 'verdict' WHEN GROUPING(p) = 0 THEN 'place' ELSE 'time' END AS test,
    coalesce(v, p, t) AS value, count(*) AS n
  FROM (SELECT agreement, insub,
          CASE t WHEN 'i' THEN 'inside' WHEN 'o' THEN 'outside' ELSE 'uncertain' END AS t,
          CASE p WHEN 'i' THEN 'inside' WHEN 'o' THEN 'outside' ELSE 'crossing' END AS p,
          CASE WHEN 'o' IN (t, p, d, g, b) THEN 'outside'
               WHEN t = 'i' AND p = 'i' AND d = 'i' AND g = 'i' AND b = 'i' THEN 'violation'
               ELSE 'uncertain' END AS v
        FROM tests) x
  GROUP BY GROUPING SETS ((agreement, v), (agreement, p), (agreement, t),
                          (insub, agreement, v), (insub, agreement, p), (insub, agreement, t))) c
WHERE insub IS NOT FALSE
ORDER BY 1, 2, 3, 4;

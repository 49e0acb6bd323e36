// The dashboard's arithmetic on incidents, without the DOM: which
// incidents the filters keep, their counts, the newest, the series over
// time. The dashboard runs it in its worker (dashboard-worker.js), so that
// a large mission never holds up the page.

export const DAY = 86400000;
export const dayOf = (t) => Math.floor(Date.parse(t) / DAY);

// worstVerdict is an incident's most serious verdict across its findings.
export function worstVerdict(inc) {
  const vs = (inc.findings || []).map((f) => f.verdict);
  return vs.includes('violation') ? 'violation' : vs.includes('uncertain') ? 'uncertain' : vs.includes('outside') ? 'outside' : 'none';
}

// partyMatcher maps the actor names of reports to party codes through
// the parties' names and aliases.
export function partyMatcher(parties) {
  const by = new Map();
  for (const p of parties) {
    for (const n of [p.code, p.name, ...(p.aliases || [])]) if (n) by.set(String(n).toLowerCase(), p.code);
  }
  return (name) => by.get(String(name).toLowerCase()) || null;
}

// prepare adds what the filters read many times to an incident, once:
// its day, its start in ms and the parties its reports name among the
// perpetrators (as GET /incidents?party= reads them).
export function prepare(inc, match) {
  inc._t = Date.parse(inc.from);
  inc._day = Math.floor(inc._t / DAY);
  inc._parties = new Set();
  for (const p of inc.perpetrators || []) { const c = match(p); if (c) inc._parties.add(c); }
  return inc;
}

// visible keeps the prepared incidents that pass the filter f: statuses
// (an array), domain, party, agreement (judged a violation of it or
// uncertain) and the day range from..to (null for no bound).
export function visible(incidents, f) {
  const statuses = new Set(f.statuses);
  return incidents.filter((inc) => {
    if (!statuses.has(inc.status)) return false;
    if (f.domain && !(inc.domains || []).includes(f.domain)) return false;
    if (f.party && !inc._parties.has(f.party)) return false;
    if (f.agreement && !(inc.findings || []).some((x) => x.agreement_id === f.agreement && x.verdict !== 'outside')) return false;
    if (f.from !== null && inc._day < f.from) return false;
    if (f.to !== null && inc._day > f.to) return false;
    return true;
  });
}

// tally counts the incidents by status, verdict, party and domain.
export function tally(list) {
  const byStatus = {}, byParty = {}, byDomain = {}, byVerdict = {};
  for (const inc of list) {
    byStatus[inc.status] = (byStatus[inc.status] || 0) + 1;
    const v = worstVerdict(inc); byVerdict[v] = (byVerdict[v] || 0) + 1;
    for (const p of inc._parties) byParty[p] = (byParty[p] || 0) + 1;
    for (const d of inc.domains || []) byDomain[d] = (byDomain[d] || 0) + 1;
  }
  return { byStatus, byParty, byDomain, byVerdict };
}

// newest returns the n latest incidents by start, the earlier in the list
// first among equals, in one pass (sorting the whole list for eight was
// most of a large mission's dashboard time).
export function newest(list, n) {
  const top = [];
  for (const inc of list) {
    if (top.length === n && inc._t <= top[n - 1]._t) continue;
    let i = top.length;
    while (i > 0 && top[i - 1]._t < inc._t) i--;
    top.splice(i, 0, inc);
    if (top.length > n) top.pop();
  }
  return top;
}

// series counts incidents per step of days from day from to day to (the
// step keeps about 400 points whatever the range), in all and for the
// four parties named in most of them.
export function series(list, from, to) {
  const step = Math.max(1, Math.ceil((to - from + 1) / 400));
  const days = [];
  for (let d = from; d <= to; d += step) days.push(d);
  const perParty = {};
  for (const inc of list) for (const p of inc._parties) perParty[p] = (perParty[p] || 0) + 1;
  const top = Object.entries(perParty).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([p]) => p);
  const total = new Array(days.length).fill(0);
  const byParty = top.map(() => new Array(days.length).fill(0));
  for (const inc of list) {
    const i = Math.floor((inc._day - from) / step);
    if (i < 0 || i >= days.length) continue;
    total[i]++;
    top.forEach((p, j) => { if (inc._parties.has(p)) byParty[j][i]++; });
  }
  return { step, days, top, total, byParty };
}

// points lays out the incidents with a position for the map's cluster
// index: longitude, latitude, id and the index k of the colour key in
// keys (status or worst verdict, after colorBy), in typed arrays that
// move between threads without a copy.
export function points(list, keys, colorBy) {
  let n = 0;
  for (const inc of list) if (Number.isFinite(inc.lat) && Number.isFinite(inc.lon)) n++;
  const p = { lon: new Float64Array(n), lat: new Float64Array(n), ids: new Float64Array(n), k: new Uint8Array(n) };
  let j = 0;
  for (const inc of list) {
    if (!Number.isFinite(inc.lat) || !Number.isFinite(inc.lon)) continue;
    p.lon[j] = inc.lon; p.lat[j] = inc.lat; p.ids[j] = inc.id;
    p.k[j] = Math.max(0, keys.indexOf(colorBy === 'verdict' ? worstVerdict(inc) : inc.status));
    j++;
  }
  return p;
}

// The dashboard's incidents, held and counted off the page's main thread:
// it reads the record (the streamed export), attaches the findings, and
// for each change of the filters answers with the counts, the newest
// incidents, the series over time and the map's points. On a large
// mission that work takes the best part of a second or more each time,
// which the page would otherwise spend unable to answer the user.
import { getJSON, listPages, streamLines } from './http.js';
import { partyMatcher, prepare, visible, tally, newest, series, points } from './tally.js';
import { serve } from './worker-serve.js';

let incidents = [];
let publicView = true;
let match = () => null;
const findingsBy = new Map();

// span is the first and last day of the incidents (null when none).
function span() {
  let min = Infinity, max = -Infinity;
  for (const inc of incidents) { if (inc._day < min) min = inc._day; if (inc._day > max) max = inc._day; }
  return incidents.length ? { min, max, n: incidents.length } : { min: null, max: null, n: 0 };
}

// verdictOf is what the filters and colours read of a finding.
const verdictOf = (f) => ({ agreement_id: f.agreement_id, verdict: f.verdict });

const attach = (inc) => { inc.findings = findingsBy.get(inc.id) || inc.findings || []; return inc; };

// slim is what the page shows of one incident in a list or a popup, and
// what the map says of it to the keyboard (targets, admin1).
const slim = (inc) => ({ id: inc.id, title: inc.title, status: inc.status, from: inc.from, domains: inc.domains, targets: inc.targets, admin1: inc.admin1 });

serve({
  // load reads every incident the caller may see (the public: verified
  // only) in one streamed export, or page by page from a server without
  // exports. parties are the mission's, to match the reports' actors.
  async load({ parties, publicView: pub }) {
    publicView = pub;
    match = partyMatcher(parties || []);
    let got;
    try { got = await streamLines('/export/incidents.ndjson'); } catch { got = await listPages(getJSON, '/incidents', 'incidents', { limit: 1000 }); }
    incidents = got.filter((inc) => !publicView || inc.status === 'verified').map((inc) => attach(prepare(inc, match)));
    return span();
  },

  // findings reads the findings of each agreement and attaches them to
  // the incidents they judge.
  async findings({ agreements }) {
    findingsBy.clear();
    await Promise.all(agreements.map(async (id) => {
      const fs = await listPages(getJSON, `/findings?agreement=${encodeURIComponent(id)}`, 'findings', { limit: 1000 }).catch(() => []);
      for (const f of fs) {
        if (f.subject_kind !== 'incident') continue;
        if (!findingsBy.has(f.subject_id)) findingsBy.set(f.subject_id, []);
        findingsBy.get(f.subject_id).push(verdictOf(f));
      }
    }));
    for (const inc of incidents) attach(inc);
    return {};
  },

  // update puts incidents read again after a live event in place of
  // their old copies (or adds them), and drops the ids in gone and, for
  // the public, any no longer verified.
  update({ changed, gone }) {
    const drop = new Set(gone);
    const by = new Map(changed.map((inc) => [inc.id, inc]));
    // An incident read on its own carries its findings, newer than ours.
    for (const inc of changed) if (inc.findings) findingsBy.set(inc.id, inc.findings.map(verdictOf));
    for (const inc of changed) if (publicView && inc.status !== 'verified') drop.add(inc.id);
    const next = [];
    for (const inc of incidents) {
      if (drop.has(inc.id)) continue;
      const nu = by.get(inc.id);
      if (nu) { by.delete(inc.id); next.push(attach(prepare(nu, match))); } else next.push(inc);
    }
    for (const inc of by.values()) if (!drop.has(inc.id)) next.push(attach(prepare(inc, match)));
    incidents = next;
    return span();
  },

  // view applies the filter (see tally.js visible) and returns what the
  // dashboard draws: the counts, the newest eight, the series over the
  // filter's days and the map's points coloured after colorBy with keys.
  view({ filter, colorBy, keys }) {
    const list = visible(incidents, filter);
    const pts = points(list, keys, colorBy);
    return {
      shown: list.length,
      counts: tally(list),
      latest: newest(list, 8).map(slim),
      series: filter.from === null ? null : series(list, filter.from, filter.to),
      points: pts,
      transfer: [pts.lon.buffer, pts.lat.buffer, pts.ids.buffer, pts.k.buffer],
    };
  },

  // incident is one incident's summary, for the map's popup.
  incident({ incident: id }) {
    const inc = incidents.find((x) => x.id === id);
    return { incident: inc ? slim(inc) : null };
  },
});

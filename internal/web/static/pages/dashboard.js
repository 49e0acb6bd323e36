// The dashboard: the map of agreement areas and incidents (coloured by
// status or verdict, with sensor layers), a time slider, filters by
// agreement, party and domain, counts per party and domain with a chart
// over time, kept live by the event stream.
import { api, listAll, streamLines, el, clear, errorBox, fmtN, fmtUTC, words, worstVerdict, statusColor, badge } from '../app.js';
import { TruceMap, legend } from '../map.js';

const DAY = 86400000;
const dayOf = (t) => Math.floor(Date.parse(t) / DAY);
const isoDay = (d) => new Date(d * DAY).toISOString().slice(0, 10);

// partyMatcher maps the actor names of reports to party codes through
// the parties' names and aliases.
function partyMatcher(parties) {
  const by = new Map();
  for (const p of parties) {
    for (const n of [p.code, p.name, ...(p.aliases || [])]) if (n) by.set(String(n).toLowerCase(), p.code);
  }
  return (name) => by.get(String(name).toLowerCase()) || null;
}

// partiesOf returns the parties an incident's reports name among the
// perpetrators, as GET /incidents?party= reads them.
function partiesOf(inc, match) {
  const s = new Set();
  for (const p of inc.perpetrators || []) { const c = match(p); if (c) s.add(c); }
  return s;
}

export default {
  path: '/',
  title: 'Dashboard',
  nav: { label: 'Dashboard', order: 10 },
  async render(main, _params, app) {
    const state = { agreement: '', party: '', domain: '', colorBy: 'status', from: null, to: null, statuses: new Set(Object.keys(statusColor)) };
    const publicView = !app.user;
    if (publicView) state.statuses = new Set(['verified']);

    const mapBox = el('div', { id: 'dash-map' });
    const legendBox = el('div');
    const agreementSel = el('select', { id: 'f-agreement' }, el('option', { value: '' }, 'All agreements'));
    const partySel = el('select', { id: 'f-party' }, el('option', { value: '' }, 'All parties'));
    const domainSel = el('select', { id: 'f-domain' }, el('option', { value: '' }, 'All domains'), ['land', 'air', 'sea'].map((d) => el('option', { value: d }, d)));
    const colorSel = el('select', { id: 'f-color' }, el('option', { value: 'status' }, 'status'), el('option', { value: 'verdict' }, 'verdict'));
    const fromIn = el('input', { id: 'f-from', type: 'range', min: 0, max: 0, value: 0 });
    const toIn = el('input', { id: 'f-to', type: 'range', min: 0, max: 0, value: 0 });
    const rangeOut = el('output', { id: 'f-range', for: 'f-from f-to', 'aria-live': 'polite' }, '—');
    const firesBox = el('input', { type: 'checkbox', id: 'l-fire' });
    const alertsBox = el('input', { type: 'checkbox', id: 'l-alert' });
    const firesOut = el('output', { id: 'l-fire-count', for: 'l-fire', class: 'muted', 'aria-live': 'polite' });
    const alertsOut = el('output', { id: 'l-alert-count', for: 'l-alert', class: 'muted', 'aria-live': 'polite' });
    const statusBoxes = Object.keys(statusColor).map((s) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', value: s, checked: state.statuses.has(s), disabled: publicView }), words(s)));
    const countsBox = el('div', { id: 'counts', 'aria-live': 'polite' }, el('p', { class: 'muted' }, 'Loading incidents…'));
    const chartBox = el('div', { id: 'chart', role: 'img', 'aria-label': 'Incidents per day by party' });
    const liveBox = el('span', { class: 'muted', id: 'live' }, '');
    const chartTitle = el('h2', {}, 'Over time');

    clear(main,
      el('h1', {}, 'Dashboard ', liveBox),
      publicView ? el('p', { class: 'note' }, 'Public view: only verified incidents are shown. ', el('a', { href: '/login' }, 'Sign in'), ' to see the whole record.') : null,
      el('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: (e) => e.preventDefault() },
        el('div', { class: 'field' }, el('label', { for: 'f-agreement' }, 'Agreement'), agreementSel),
        el('div', { class: 'field' }, el('label', { for: 'f-party' }, 'Party'), partySel),
        el('div', { class: 'field' }, el('label', { for: 'f-domain' }, 'Domain'), domainSel),
        el('div', { class: 'field' }, el('label', { for: 'f-color' }, 'Colour by'), colorSel),
        el('fieldset', {}, el('legend', {}, 'Status'), statusBoxes),
        el('fieldset', {}, el('legend', {}, 'Sensor layers'),
          el('label', { class: 'check', for: 'l-fire' }, firesBox, 'FIRMS fires'), firesOut,
          el('label', { class: 'check', for: 'l-alert' }, alertsBox, 'Air-raid alerts'), alertsOut)),
      el('div', { class: 'slider' },
        el('label', { for: 'f-from' }, 'From'), fromIn, el('label', { for: 'f-to' }, 'to'), toIn, rangeOut),
      el('div', { class: 'dash' },
        el('div', {}, mapBox, legendBox, chartTitle, chartBox),
        el('aside', { 'aria-label': 'Counts' }, countsBox)));

    const map = new TruceMap(mapBox, { label: 'Map of incidents and agreement areas' });
    let agreements = [], parties = [], incidents = [], match = () => null, chart = null;

    const [agrRes, partyRes] = await Promise.allSettled([api('/agreements'), api('/parties')]);
    if (agrRes.status === 'fulfilled') agreements = agrRes.value.agreements || [];
    if (partyRes.status === 'fulfilled') parties = partyRes.value.parties || [];
    match = partyMatcher(parties);
    agreementSel.append(...agreements.map((a) => el('option', { value: a.id }, a.title || a.id)));
    partySel.append(...parties.map((p) => el('option', { value: p.code }, p.name ? `${p.name} (${p.code})` : p.code)));

    const visibleIncidents = () => {
      const from = state.from, to = state.to;
      return incidents.filter((inc) => {
        if (!state.statuses.has(inc.status)) return false;
        if (state.domain && !(inc.domains || []).includes(state.domain)) return false;
        if (state.party && !partiesOf(inc, match).has(state.party)) return false;
        if (state.agreement && !(inc.findings || []).some((f) => f.agreement_id === state.agreement && f.verdict !== 'outside')) return false;
        if (from !== null && inc._day < from) return false;
        if (to !== null && inc._day > to) return false;
        return true;
      });
    };

    let left = false;
    const update = () => {
      if (left) return;
      const list = visibleIncidents();
      map.setIncidents(list, state.colorBy);
      clear(legendBox, legend(state.colorBy));
      rangeOut.textContent = state.from === null ? '—' : `${isoDay(state.from)} – ${isoDay(state.to)}`;
      renderCounts(list);
      renderChart(list);
    };

    function renderCounts(list) {
      const byStatus = {}, byParty = {}, byDomain = {}, byVerdict = {};
      for (const inc of list) {
        byStatus[inc.status] = (byStatus[inc.status] || 0) + 1;
        const v = worstVerdict(inc); byVerdict[v] = (byVerdict[v] || 0) + 1;
        for (const p of partiesOf(inc, match)) byParty[p] = (byParty[p] || 0) + 1;
        for (const d of inc.domains || []) byDomain[d] = (byDomain[d] || 0) + 1;
      }
      const table = (caption, obj, id) => el('table', { id },
        el('caption', { style: 'text-align:left;font-weight:600' }, caption),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, caption.split(' ').pop().replace(/^./, (c) => c.toUpperCase())), el('th', { scope: 'col', class: 'num' }, 'Incidents'))),
        el('tbody', {}, Object.entries(obj).sort((a, b) => b[1] - a[1]).map(([k, n]) => el('tr', {}, el('th', { scope: 'row' }, words(k)), el('td', { class: 'num' }, fmtN(n))))));
      clear(countsBox,
        el('div', { class: 'stats' },
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-shown' }, fmtN(list.length)), 'incidents shown'),
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-verified' }, fmtN(byStatus.verified || 0)), 'verified'),
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-violations' }, fmtN(byVerdict.violation || 0)), 'with a violation finding')),
        latest(list),
        table('By status', byStatus, 'by-status'),
        table('By party', byParty, 'by-party'),
        table('By domain', byDomain, 'by-domain'));
    }

    // latest lists the newest incidents shown, so that the map's content
    // can also be reached from the keyboard and read by a screen reader.
    function latest(list) {
      const top = list.slice().sort((a, b) => Date.parse(b.from) - Date.parse(a.from)).slice(0, 8);
      if (!top.length) return el('p', { class: 'muted' }, 'No incidents match the filters.');
      return el('section', { 'aria-labelledby': 'latest-h' }, el('h2', { id: 'latest-h', style: 'font-size:1rem' }, 'Latest shown'),
        el('ul', { class: 'plain', id: 'latest' }, top.map((inc) => el('li', {},
          el('a', { href: `/incidents/${inc.id}` }, inc.title || `Incident ${inc.id}`), ' ', badge('status', inc.status),
          el('span', { class: 'muted' }, ` ${fmtUTC(inc.from)}`)))));
    }

    function renderChart(list) {
      if (typeof window.uPlot === 'undefined' || state.from === null) return;
      // One point per day, or per several days when the range is long, so
      // that the chart keeps about 400 points whatever the range.
      const step = Math.max(1, Math.ceil((state.to - state.from + 1) / 400));
      const days = [];
      for (let d = state.from; d <= state.to; d += step) days.push(d);
      const top = Object.entries(list.reduce((acc, inc) => { for (const p of partiesOf(inc, match)) acc[p] = (acc[p] || 0) + 1; return acc; }, {}))
        .sort((a, b) => b[1] - a[1]).slice(0, 4).map(([p]) => p);
      const total = new Array(days.length).fill(0);
      const series = top.map(() => new Array(days.length).fill(0));
      for (const inc of list) {
        const i = Math.floor((inc._day - state.from) / step);
        if (i < 0 || i >= days.length) continue;
        total[i]++;
        const ps = partiesOf(inc, match);
        top.forEach((p, j) => { if (ps.has(p)) series[j][i]++; });
      }
      chartBox.setAttribute('aria-label', `Incidents per ${step === 1 ? 'day' : step + ' days'} by party`);
      chartTitle.textContent = `Over time (incidents per ${step === 1 ? 'day' : step + ' days'})`;
      const palette = ['#0b57ad', '#c62828', '#2e7d32', '#8e44ad'];
      const opts = {
        width: Math.max(280, chartBox.clientWidth || 320), height: 240,
        scales: { x: { time: true } },
        series: [{}, { label: 'all', stroke: '#525a6b', width: 1.5 }, ...top.map((p, j) => ({ label: p, stroke: palette[j], width: 1.5 }))],
        axes: [{ stroke: '#525a6b' }, { stroke: '#525a6b' }],
      };
      const data = [days.map((d) => d * 86400), total, ...series];
      if (chart) chart.destroy();
      chartBox.replaceChildren();
      chart = new window.uPlot(opts, data, chartBox);
    }

    function setRange() {
      if (!incidents.length) return;
      let min = Infinity, max = -Infinity;
      for (const inc of incidents) { if (inc._day < min) min = inc._day; if (inc._day > max) max = inc._day; }
      for (const r of [fromIn, toIn]) { r.min = String(min); r.max = String(max); }
      if (state.from === null || state.from < min) state.from = min;
      if (state.to === null || state.to > max || state.to === state.prevMax) state.to = max;
      state.prevMax = max;
      fromIn.value = String(state.from); toIn.value = String(state.to);
      fromIn.setAttribute('aria-valuetext', isoDay(state.from));
      toIn.setAttribute('aria-valuetext', isoDay(state.to));
    }

    agreementSel.addEventListener('change', () => {
      state.agreement = agreementSel.value;
      const a = agreements.find((x) => x.id === state.agreement);
      if (a) map.showArea(a.area, { fit: true }); else showAllAreas();
      update();
    });
    // Until an agreement is chosen, every agreement's area is outlined.
    const showAllAreas = () => map.showArea(agreements.map((x) => x.area).filter(Boolean), { fit: false, opacity: 0.06 });
    showAllAreas();
    partySel.addEventListener('change', () => { state.party = partySel.value; update(); });
    domainSel.addEventListener('change', () => { state.domain = domainSel.value; update(); });
    colorSel.addEventListener('change', () => { state.colorBy = colorSel.value; update(); });
    for (const lbl of statusBoxes) {
      const cb = lbl.querySelector('input');
      cb.addEventListener('change', () => { if (cb.checked) state.statuses.add(cb.value); else state.statuses.delete(cb.value); update(); });
    }
    const onSlide = () => {
      let f = Number(fromIn.value), t = Number(toIn.value);
      if (f > t) { if (document.activeElement === fromIn) t = f; else f = t; }
      state.from = f; state.to = t; fromIn.value = String(f); toIn.value = String(t);
      fromIn.setAttribute('aria-valuetext', isoDay(f)); toIn.setAttribute('aria-valuetext', isoDay(t));
      rangeOut.textContent = `${isoDay(f)} – ${isoDay(t)}`;
      // Re-indexing 100,000 incidents takes a moment: while the thumb is
      // dragged, only the last position is drawn.
      clearTimeout(slideTimer);
      slideTimer = setTimeout(() => { update(); refreshObservations(); }, incidents.length > 20000 ? 250 : 60);
    };
    let slideTimer = null;
    fromIn.addEventListener('input', onSlide);
    toIn.addEventListener('input', onSlide);

    // The sensor layers need GET /api/v1/observations; without it (an older
    // server) the toggles say so instead of failing.
    api('/openapi.json').then((doc) => {
      if (doc && doc.paths && !doc.paths['/api/v1/observations']) {
        for (const box of [firesBox, alertsBox]) { box.disabled = true; box.title = 'This server has no observations API'; }
        firesBox.closest('fieldset').append(el('span', { class: 'help' }, ' (not served by this server)'));
      }
    }).catch(() => {});
    // A checked layer shows the observations of the slider's range, read
    // again when the range moves; its output says how many are drawn
    // (fires with a point; alerts as the oblasts they cover), and so does
    // the map's data-fires / data-alert-units for the tests.
    const layers = { fire: { box: firesBox, out: firesOut, seq: 0 }, alert: { box: alertsBox, out: alertsOut, seq: 0 } };
    const showObservations = async (kind) => {
      const l = layers[kind];
      const seq = ++l.seq;
      if (!l.box.checked) {
        map.setObservations(kind, null);
        l.out.textContent = '';
        delete mapBox.dataset[kind === 'fire' ? 'fires' : 'alertUnits'];
        return;
      }
      l.out.textContent = ' loading…';
      try {
        const range = state.from !== null ? `&from=${isoDay(state.from)}T00:00:00Z&to=${isoDay(state.to + 1)}T00:00:00Z` : '';
        const max = 50000; // a browser draws this many dots smoothly; more are said to be left out
        const list = await listAll(`/observations?kind=${kind}${range}`, 'observations', { max });
        const cut = list.length >= max ? ' (the first; narrow the range for the rest)' : '';
        if (seq !== l.seq || left) return; // a later toggle or range won
        await map.setObservations(kind, list);
        if (kind === 'fire') {
          const n = list.filter((o) => o.lat != null && o.lon != null).length;
          mapBox.dataset.fires = String(n);
          l.out.textContent = ` ${fmtN(n)} in the range${cut}`;
        } else {
          const units = new Set(list.map((o) => o.admin1).filter(Boolean)).size;
          mapBox.dataset.alertUnits = String(units);
          l.out.textContent = ` ${fmtN(list.length)} in ${fmtN(units)} oblast${units === 1 ? '' : 's'}${cut}`;
        }
      } catch (err) {
        if (seq !== l.seq) return;
        l.box.checked = false;
        l.out.textContent = '';
        l.box.closest('fieldset').append(errorBox(err, `${kind} observations`));
      }
    };
    const refreshObservations = () => { for (const kind of Object.keys(layers)) if (layers[kind].box.checked) showObservations(kind); };
    firesBox.addEventListener('change', () => showObservations('fire'));
    alertsBox.addEventListener('change', () => showObservations('alert'));

    const prep = (inc) => { inc._day = dayOf(inc.from); return inc; };
    // The incident list carries no findings; they come per agreement, after
    // the first paint, and are attached to the incidents they judge.
    const findingsBy = new Map();
    const attachFindings = () => { for (const inc of incidents) inc.findings = findingsBy.get(inc.id) || inc.findings || []; };
    const loadFindings = async () => {
      findingsBy.clear();
      await Promise.all(agreements.map(async (a) => {
        const fs = await listAll(`/findings?agreement=${encodeURIComponent(a.id)}`, 'findings', { limit: 1000 }).catch(() => []);
        for (const f of fs) {
          if (f.subject_kind !== 'incident') continue;
          if (!findingsBy.has(f.subject_id)) findingsBy.set(f.subject_id, []);
          findingsBy.get(f.subject_id).push(f);
        }
      }));
      attachFindings();
      update();
      performance.mark('truce:findings');
    };
    const load = async () => {
      // One streamed export rather than a page per thousand incidents; the
      // paged list is the fallback for a server without exports.
      let got;
      try { got = await streamLines('/export/incidents.ndjson'); } catch { got = await listAll('/incidents', 'incidents', { limit: 1000 }); }
      incidents = got.filter((inc) => !publicView || inc.status === 'verified').map(prep);
      attachFindings();
      setRange();
      update();
    };
    try {
      await load();
      performance.mark('truce:dashboard');
      mapBox.dataset.ready = 'true';
      loadFindings();
    } catch (err) {
      clear(countsBox, errorBox(err, 'incidents'));
    }

    // Live: the event stream says which incidents changed (a transition,
    // a finding, a regrouping); they are fetched again in batches, and a
    // large batch reloads everything instead.
    let es = null, reloadTimer = null, flushTimer = null;
    const changed = new Set();
    const scheduleReload = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(() => load().then(loadFindings).catch(() => {}), 1500); };
    const flush = async () => {
      flushTimer = null;
      const ids = [...changed];
      changed.clear();
      if (ids.length > 50) { scheduleReload(); return; }
      for (const id of ids) {
        try {
          const inc = prep(await api(`/incidents/${id}`));
          const i = incidents.findIndex((x) => x.id === inc.id);
          if (publicView && inc.status !== 'verified') { if (i >= 0) incidents.splice(i, 1); } else if (i >= 0) incidents[i] = inc; else incidents.push(inc);
        } catch (err) {
          const i = incidents.findIndex((x) => x.id === id);
          if (i >= 0 && err.status === 404) incidents.splice(i, 1);
        }
      }
      setRange(); update();
      mapBox.dataset.liveUpdates = String(Number(mapBox.dataset.liveUpdates || 0) + 1);
    };
    if (typeof EventSource !== 'undefined') {
      es = new EventSource('/api/v1/stream?kinds=transition,finding,incidents');
      es.onopen = () => { liveBox.textContent = '· live'; };
      es.onerror = () => { liveBox.textContent = ''; };
      const onEvent = (e) => {
        let d = null; try { d = JSON.parse(e.data); } catch { return; }
        const r = (d && d.record) || {};
        const ids = r.incident_id ? [r.incident_id] : r.subject_kind === 'incident' ? [r.subject_id] : Array.isArray(r.incidents) ? r.incidents : [];
        for (const id of ids) changed.add(id);
        if (ids.length && !flushTimer) flushTimer = setTimeout(flush, 800);
      };
      for (const t of ['transition', 'finding', 'incidents']) es.addEventListener(t, onEvent);
    }
    const onResize = () => { if (chart) chart.setSize({ width: Math.max(280, chartBox.clientWidth), height: 220 }); };
    window.addEventListener('resize', onResize);
    return () => { left = true; if (es) es.close(); clearTimeout(reloadTimer); clearTimeout(flushTimer); clearTimeout(slideTimer); window.removeEventListener('resize', onResize); if (chart) chart.destroy(); map.destroy(); };
  },
};

// The dashboard: the map of agreement areas and incidents (coloured by
// status or verdict, with sensor layers), a time slider, filters by
// agreement, party and domain, counts per party and domain with a chart
// over time, kept live by the event stream. The incidents themselves are
// held, filtered and counted in a worker (dashboard-worker.js) and
// clustered for the map in another (cluster-worker.js): on a large
// mission that work takes seconds, and the page stays responsive while it
// runs; the page only draws what the workers answer.
import { api, listAll, el, clear, errorBox, fmtN, fmtUTC, words, statusColor, verdictColor, badge } from '../app.js';
import { DAY } from '../tally.js';
import { TruceMap, legend } from '../map.js';
import { startWorker } from '../worker-client.js';

const isoDay = (d) => new Date(d * DAY).toISOString().slice(0, 10);

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
    const countsBox = el('div', { id: 'counts' }, el('p', { class: 'muted' }, 'Loading incidents…'));
    // What a screen reader announces when the filters change: one line,
    // not the whole counts panel.
    const statusLine = el('p', { class: 'sr-only', id: 'dash-status', role: 'status' });
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
        el('aside', { 'aria-label': 'Counts' }, statusLine, countsBox)));

    const worker = startWorker('/static/dashboard-worker.js');
    const map = new TruceMap(mapBox, {
      label: 'Map of incidents and agreement areas',
      describe: (id) => worker.call('incident', { incident: id }).then((r) => r.incident),
    });
    let agreements = [], parties = [], chart = null, range = { min: null, max: null, n: 0 };

    const [agrRes, partyRes] = await Promise.allSettled([api('/agreements'), api('/parties')]);
    if (agrRes.status === 'fulfilled') agreements = agrRes.value.agreements || [];
    if (partyRes.status === 'fulfilled') parties = partyRes.value.parties || [];
    agreementSel.append(...agreements.map((a) => el('option', { value: a.id }, a.title || a.id)));
    partySel.append(...parties.map((p) => el('option', { value: p.code }, p.name ? `${p.name} (${p.code})` : p.code)));

    // draw asks the worker for what the filters keep and draws it; a
    // later draw wins over an earlier one still being answered. While one
    // runs the counts say they are busy (aria-busy), which the tests wait
    // on too. update is draw for event handlers: it shows a failure.
    let left = false, views = 0;
    const update = () => draw().catch((err) => { if (!left) clear(countsBox, errorBox(err, 'incidents')); });
    const draw = async () => {
      if (left) return;
      const seq = ++views;
      countsBox.setAttribute('aria-busy', 'true');
      rangeOut.textContent = state.from === null ? '—' : `${isoDay(state.from)} – ${isoDay(state.to)}`;
      const colorBy = state.colorBy;
      const keys = Object.keys(colorBy === 'verdict' ? verdictColor : statusColor);
      const filter = { statuses: [...state.statuses], domain: state.domain, party: state.party, agreement: state.agreement, from: state.from, to: state.to };
      const v = await worker.call('view', { filter, colorBy, keys });
      if (seq !== views || left) return;
      clear(legendBox, legend(colorBy));
      renderCounts(v);
      renderChart(v.series);
      countsBox.setAttribute('aria-busy', 'false');
      statusLine.textContent = `${fmtN(v.shown)} incidents shown, ${fmtN(v.counts.byStatus.verified || 0)} verified` +
        (state.from === null ? '.' : `, from ${isoDay(state.from)} to ${isoDay(state.to)}.`);
      await map.setPoints(v.points, colorBy);
    };

    function renderCounts({ shown, counts: { byStatus, byParty, byDomain, byVerdict }, latest: top }) {
      const table = (caption, obj, id) => el('table', { id },
        el('caption', { style: 'text-align:left;font-weight:600' }, caption),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, caption.split(' ').pop().replace(/^./, (c) => c.toUpperCase())), el('th', { scope: 'col', class: 'num' }, 'Incidents'))),
        el('tbody', {}, Object.entries(obj).sort((a, b) => b[1] - a[1]).map(([k, n]) => el('tr', {}, el('th', { scope: 'row' }, words(k)), el('td', { class: 'num' }, fmtN(n))))));
      clear(countsBox,
        el('div', { class: 'stats' },
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-shown' }, fmtN(shown)), 'incidents shown'),
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-verified' }, fmtN(byStatus.verified || 0)), 'verified'),
          el('div', { class: 'card' }, el('div', { class: 'stat', 'data-testid': 'count-violations' }, fmtN(byVerdict.violation || 0)), 'with a violation finding')),
        latest(top),
        table('By status', byStatus, 'by-status'),
        table('By party', byParty, 'by-party'),
        table('By domain', byDomain, 'by-domain'));
    }

    // latest lists the newest incidents shown, so that the map's content
    // can also be reached from the keyboard and read by a screen reader.
    function latest(top) {
      if (!top.length) return el('p', { class: 'muted' }, 'No incidents match the filters.');
      return el('section', { 'aria-labelledby': 'latest-h' }, el('h2', { id: 'latest-h', style: 'font-size:1rem' }, 'Latest shown'),
        el('ul', { class: 'plain', id: 'latest' }, top.map((inc) => el('li', {},
          el('a', { href: `/incidents/${inc.id}` }, inc.title || `Incident ${inc.id}`), ' ', badge('status', inc.status),
          el('span', { class: 'muted' }, ` ${fmtUTC(inc.from)}`)))));
    }

    function renderChart(ser) {
      if (typeof window.uPlot === 'undefined' || !ser) return;
      const { step, days, top, total, byParty: series } = ser;
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

    // setRange puts the slider's bounds at the incidents' first and last
    // days, keeping the user's choice within them and following the last
    // day when the range ended there.
    function setRange(r) {
      range = r;
      if (r.min === null) return;
      const { min, max } = r;
      for (const x of [fromIn, toIn]) { x.min = String(min); x.max = String(max); }
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
      // Counting 100,000 incidents again takes the worker a moment: while
      // the thumb is dragged, only the last position is asked for.
      clearTimeout(slideTimer);
      slideTimer = setTimeout(() => { update(); refreshObservations(); }, range.n > 20000 ? 250 : 60);
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

    // The export carries no findings; they come per agreement, after the
    // first paint, and the worker attaches them to the incidents they
    // judge.
    const loadFindings = async () => {
      await worker.call('findings', { agreements: agreements.map((a) => a.id) });
      await draw();
      performance.mark('truce:findings');
    };
    const load = async () => {
      setRange(await worker.call('load', { parties, publicView }));
      await draw();
    };
    try {
      await load();
      performance.mark('truce:dashboard');
      mapBox.dataset.ready = 'true';
      loadFindings().catch((err) => { if (!left) countsBox.append(errorBox(err, 'findings')); });
    } catch (err) {
      if (!left) clear(countsBox, errorBox(err, 'incidents'));
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
      const fresh = [], gone = [];
      for (const id of ids) {
        try { fresh.push(await api(`/incidents/${id}`)); } catch (err) { if (err.status === 404) gone.push(id); }
      }
      if (left) return;
      try {
        setRange(await worker.call('update', { changed: fresh, gone }));
        await draw();
      } catch (err) {
        if (!left) clear(countsBox, errorBox(err, 'incidents'));
        return;
      }
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
    return () => { left = true; worker.terminate(); if (es) es.close(); clearTimeout(reloadTimer); clearTimeout(flushTimer); clearTimeout(slideTimer); window.removeEventListener('resize', onResize); if (chart) chart.destroy(); map.destroy(); };
  },
};

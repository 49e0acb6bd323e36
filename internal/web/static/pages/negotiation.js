// The negotiation track: who stands where (the position matrix, each
// cell's history a click away), what each side makes conditional on what
// (the precondition graph, deadlock cycles highlighted, with what would
// unblock them), and the timeline of statements and events. Everything
// can be seen as it stood on a past date (?at=YYYY-MM-DD).
import { api, el, clear, errorBox, badge, words } from '../app.js';

const SVG = 'http://www.w3.org/2000/svg';

// Stance colours: blue/orange axis for offers and conditions, red only
// for rejections, readable as text on white too.
const stanceColor = { demands: '#6a3d9a', offers: '#0b57ad', accepts: '#2e6b30', rejects: '#b3261e', conditions: '#9a6200' };
const cycleColor = '#c62828';

function injectStyle() {
  if (document.getElementById('negotiation-style')) return;
  const css = `
.stance { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: .8rem; font-weight: 600; color: #fff; white-space: nowrap; }
${Object.entries(stanceColor).map(([s, c]) => `.stance-${s} { background: ${c}; }`).join('\n')}
table.matrix td, table.matrix th { text-align: center; vertical-align: middle; }
table.matrix th[scope=row] { text-align: left; }
table.matrix button.cell { border: 1px solid transparent; background: none; padding: .2rem .3rem; }
table.matrix button.cell[aria-expanded=true] { border-color: var(--accent); background: #eef3f9; }
.graph svg { width: 100%; height: auto; max-height: 640px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
.graph .node rect { fill: #fff; stroke: #5f6675; stroke-width: 1.5; }
.graph .node.cycle rect { stroke: ${cycleColor}; stroke-width: 3; fill: #fdecea; }
.graph .node text { font-size: 12px; fill: #1b2230; }
.graph .edge path { fill: none; stroke: #5f6675; stroke-width: 1.8; }
.graph .edge.inactive path { stroke: #b0b4bd; stroke-dasharray: 6 4; }
.graph .edge.cycle path { stroke: ${cycleColor}; stroke-width: 3.5; }
.graph .edge text { font-size: 11px; fill: #525a6b; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.graph .edge.cycle text { fill: ${cycleColor}; font-weight: 700; }
.timeline { list-style: none; padding: 0; }
.timeline > li { border-left: 3px solid var(--line); padding: .2rem 0 .6rem .8rem; margin-left: .3rem; }
.timeline > li.event { border-left-color: var(--accent); }
.timeline .date { font-variant-numeric: tabular-nums; font-weight: 600; margin-right: .5rem; }
`;
  document.head.append(el('style', { id: 'negotiation-style' }, css));
}

function stance(s) { return el('span', { class: `stance stance-${s}` }, words(s)); }

function sourceLine(s) {
  if (!s) return null;
  return el('span', { class: 'muted' }, s.url ? el('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank' }, s.title || s.url) : (s.title || 'Source'), s.date ? ` (${s.date})` : '');
}

function quoteKind(k) {
  return el('span', { class: 'help' }, k === 'direct' ? 'the speaker\'s words, as the source quotes them' : 'the source\'s account of what was said');
}

function statementItem(s, names, { dated = true } = {}) {
  return [
    el('div', {}, el('strong', {}, names.party(s.party)), ' ', stance(s.stance), ' ', names.issue(s.issue), dated ? ` · ${s.date}` : ''),
    s.summary ? el('p', {}, s.summary) : null,
    el('blockquote', { lang: s.language || null }, s.quote), quoteKind(s.quote_kind), ' · ', sourceLine(s.source),
  ];
}

export default {
  path: '/negotiation',
  title: 'Negotiation',
  nav: { label: 'Negotiation', order: 45 },
  async render(main, _params, app) {
    injectStyle();
    const at = new URLSearchParams(location.search).get('at') || '';
    const q = at ? `?at=${encodeURIComponent(at)}` : '';
    const dateInput = el('input', { type: 'date', id: 'neg-at', value: at, 'aria-describedby': 'neg-at-help' });
    const go = (v) => app.navigate(v ? `/negotiation?at=${encodeURIComponent(v)}` : '/negotiation');
    dateInput.addEventListener('change', () => go(dateInput.value));
    clear(main,
      el('h1', {}, 'Negotiation'),
      el('p', {}, 'Who stands where on each issue, what each party makes conditional on what, and where those conditions wait on each other in a deadlock.'),
      el('form', { class: 'slider', onsubmit: (e) => { e.preventDefault(); go(dateInput.value); } },
        el('label', { for: 'neg-at' }, 'As of'), dateInput,
        el('button', { type: 'submit' }, 'Show'),
        at ? el('button', { type: 'button', onclick: () => go('') }, 'Now') : null,
        el('span', { id: 'neg-at-help', class: 'help' }, at ? `Positions and preconditions as they stood at the end of ${at}.` : 'Showing the current state; pick a date to see an earlier one.')),
      el('div', { class: 'legend', id: 'neg-dates', 'aria-label': 'Dates in the timeline' }));

    let positions, graph, timeline, parties, issues, drafts;
    try {
      [positions, graph, timeline, parties, issues, drafts] = await Promise.all([
        api(`/negotiation/positions${q}`), api(`/negotiation/graph${q}`), api('/negotiation/timeline'),
        api('/parties?limit=1000'), api('/negotiation/issues'), api('/negotiation/drafts')]);
    } catch (err) {
      main.append(errorBox(err, 'the negotiation track'));
      return;
    }
    const partyName = Object.fromEntries((parties.parties || parties.items || []).map((p) => [p.code, p.name]));
    const issueName = Object.fromEntries((issues.issues || []).map((i) => [i.code, i.name]));
    const names = { party: (c) => partyName[c] || c, issue: (c) => issueName[c] || words(c) };

    // The whole timeline gives the dates to jump to; the list below shows
    // what had happened by the date viewed.
    const all = timeline.timeline || [];
    const dates = [...new Set(all.map((t) => t.date))];
    clear(main.querySelector('#neg-dates'), el('span', { class: 'help' }, 'Jump to:'),
      dates.map((d) => (d === at ? el('strong', {}, d) : el('a', { href: `/negotiation?at=${d}`, 'data-date': d }, d))));
    const shown = at ? all.filter((t) => t.date <= at) : all;

    const canWrite = app.can('admin', 'monitor');
    const reload = () => app.navigate(location.pathname + location.search, { replace: true });
    main.append(
      matrixSection(positions, names),
      graphSection(graph, names, canWrite ? { reload } : null),
      timelineSection(shown, names),
      draftsSection(drafts.drafts || [], names),
      canWrite ? recordSection(parties.parties || parties.items || [], issues.issues || [], reload) : null);
  },
};

// ---------- the position matrix ----------

function matrixSection(m, names) {
  const sec = el('section', { 'aria-labelledby': 'pos-h' }, el('h2', { id: 'pos-h' }, 'Positions'));
  if (!m.cells.length) { sec.append(el('p', { class: 'muted' }, 'No statements recorded yet.')); return sec; }
  const cells = new Map(m.cells.map((c) => [`${c.party}|${c.issue}`, c]));
  const detail = el('div', { class: 'card', id: 'position-history', 'data-testid': 'position-history', hidden: true, 'aria-live': 'polite' });
  let open = null;
  const show = (btn, c) => {
    if (open) open.setAttribute('aria-expanded', 'false');
    if (open === btn) { open = null; detail.hidden = true; return; }
    open = btn;
    btn.setAttribute('aria-expanded', 'true');
    clear(detail,
      el('h3', {}, `${names.party(c.party)} on ${names.issue(c.issue)}: ${c.history.length} statement${c.history.length > 1 ? 's' : ''}, latest first`),
      el('ol', { class: 'plain' }, [...c.history].reverse().map((s) => el('li', { 'data-statement': s.id }, statementItem(s, names)))));
    detail.hidden = false;
  };
  const rows = m.parties.map((p) => el('tr', {},
    el('th', { scope: 'row' }, names.party(p), el('span', { class: 'muted' }, ` ${p}`)),
    m.issues.map((i) => {
      const c = cells.get(`${p}|${i}`);
      if (!c) return el('td', { class: 'muted', 'aria-label': 'no statement' }, '·');
      const btn = el('button', { type: 'button', class: 'cell', 'aria-expanded': 'false', 'aria-controls': 'position-history',
        title: `${c.latest.date}: ${c.latest.summary || c.latest.quote}`, dataset: { party: p, issue: i, stance: c.latest.stance } },
      stance(c.latest.stance), c.history.length > 1 ? el('span', { class: 'help' }, ` ×${c.history.length}`) : null);
      btn.addEventListener('click', () => show(btn, c));
      return el('td', {}, btn);
    })));
  sec.append(
    el('div', { class: 'legend' }, Object.keys(stanceColor).map((s) => stance(s)), el('span', { class: 'help' }, 'Latest stance of each party on each issue; click a cell for its history.')),
    el('div', { class: 'scroll' }, el('table', { class: 'matrix', 'data-testid': 'matrix' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Party'), m.issues.map((i) => el('th', { scope: 'col' }, names.issue(i))))),
      el('tbody', {}, rows))),
    detail);
  return sec;
}

// ---------- the precondition graph ----------

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// wrap splits a label into lines of at most n characters.
function wrap(text, n = 24) {
  const lines = [];
  let line = '';
  for (const w of String(text).split(/\s+/)) {
    if (line && (line + ' ' + w).length > n) { lines.push(line); line = w; } else line = line ? line + ' ' + w : w;
  }
  if (line) lines.push(line);
  return lines.slice(0, 4);
}

// clip returns where the segment from the centre (cx, cy) towards (tx, ty)
// leaves a box of half-size (hw, hh).
function clip(cx, cy, tx, ty, hw, hh) {
  const dx = tx - cx, dy = ty - cy;
  if (!dx && !dy) return [cx, cy];
  const s = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity);
  return [cx + dx * s, cy + dy * s];
}

function drawGraph(g) {
  const W = 860, H = 560, hw = 92, hh = 36;
  const n = g.nodes.length;
  // Nodes on a circle; cycle nodes first, so that a deadlock sits together.
  const order = [...g.nodes].sort((a, b) => (b.in_cycle - a.in_cycle) || a.key.localeCompare(b.key));
  const pos = new Map();
  const r = n > 1 ? Math.min(W / 2 - hw - 20, H / 2 - hh - 20) : 0;
  order.forEach((node, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1) + (n === 2 ? Math.PI / 2 : 0);
    pos.set(node.key, [W / 2 + r * Math.cos(a), H / 2 + r * Math.sin(a)]);
  });
  const defs = svg('defs', {},
    svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5f6675' })),
    svg('marker', { id: 'arrow-cycle', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: cycleColor })),
    svg('marker', { id: 'arrow-off', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#b0b4bd' })));
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'graph-title graph-desc', 'data-testid': 'graph-svg' },
    svg('title', { id: 'graph-title' }, 'Precondition graph'),
    svg('desc', { id: 'graph-desc' }, `${g.edges.length} preconditions between ${n} conditions; ${g.deadlocks.length} deadlock${g.deadlocks.length === 1 ? '' : 's'}. An arrow from X to Y reads: X only after Y.`),
    defs);
  // Parallel and opposite edges between two nodes bend apart.
  const seen = new Map();
  for (const e of g.edges) {
    const pair = [e.from, e.to].sort().join('|');
    const k = seen.get(pair) || 0;
    seen.set(pair, k + 1);
    const [x1, y1] = pos.get(e.from), [x2, y2] = pos.get(e.to);
    const mx = (x1 + x2) / 2, my = (y1 + y2) / 2, len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const bend = 40 * (1 + k);
    const cx = mx - ((y2 - y1) / len) * bend, cy = my + ((x2 - x1) / len) * bend;
    const [sx, sy] = clip(x1, y1, cx, cy, hw, hh), [tx, ty] = clip(x2, y2, cx, cy, hw, hh);
    const cls = `edge${e.active ? '' : ' inactive'}${e.in_cycle ? ' cycle' : ''}`;
    const p = e.precondition;
    const label = `#${p.id} ${p.party}${e.active ? '' : p.met ? ' (met)' : p.withdrawn ? ' (withdrawn)' : ''}`;
    root.append(svg('g', { class: cls, 'data-id': p.id, 'data-testid': `edge-${p.id}` },
      svg('title', {}, `#${p.id}: ${p.party} — ${e.from} only after ${e.to}${p.quote ? ': “' + p.quote + '”' : ''}`),
      svg('path', { d: `M${sx},${sy} Q${cx},${cy} ${tx},${ty}`, 'marker-end': `url(#${e.in_cycle ? 'arrow-cycle' : e.active ? 'arrow' : 'arrow-off'})` }),
      svg('text', { x: (sx + 2 * cx + tx) / 4, y: (sy + 2 * cy + ty) / 4, 'text-anchor': 'middle', dy: -4 }, label)));
  }
  for (const node of order) {
    const [x, y] = pos.get(node.key);
    const lines = wrap(g.labels[node.key] || node.key);
    root.append(svg('g', { class: `node${node.in_cycle ? ' cycle' : ''}`, 'data-key': node.key },
      svg('rect', { x: x - hw, y: y - hh, width: 2 * hw, height: 2 * hh, rx: 8 }),
      svg('text', { x, y: y - (lines.length - 1) * 7 + 4, 'text-anchor': 'middle' },
        lines.map((l, i) => svg('tspan', { x, dy: i ? 14 : 0 }, l)))));
  }
  return root;
}

// stateForm lets a monitor mark a precondition met or withdrawn.
function stateForm(p, reload) {
  const date = el('input', { type: 'date', 'aria-label': `#${p.id} ended on`, required: true });
  const msg = el('span', { 'aria-live': 'polite' });
  const send = async (what) => {
    clear(msg);
    if (!date.value) { msg.append(el('span', { class: 'error' }, 'Pick the date it ended.')); return; }
    try {
      await api(`/negotiation/preconditions/${p.id}`, { method: 'PATCH', body: { met: what === 'met', withdrawn: what === 'withdrawn', until: date.value } });
      reload();
    } catch (err) { msg.append(errorBox(err)); }
  };
  return el('span', { class: 'state-form' }, ' ', date, ' ',
    el('button', { type: 'button', class: 'small', onclick: () => send('met') }, 'Met'), ' ',
    el('button', { type: 'button', class: 'small', onclick: () => send('withdrawn') }, 'Withdrawn'), msg);
}

function graphSection(g, names, writer) {
  const sec = el('section', { class: 'graph', 'aria-labelledby': 'graph-h', 'data-testid': 'graph' }, el('h2', { id: 'graph-h' }, 'Preconditions and deadlocks'));
  if (!g.edges.length) { sec.append(el('p', { class: 'muted' }, 'No preconditions recorded for this date.')); return sec; }
  const label = (k) => g.labels[k] || k;
  const byID = new Map(g.edges.map((e) => [e.precondition.id, e.precondition]));
  const preLine = (p) => `#${p.id}: ${label(keyOf(p.action))} only after ${label(keyOf(p.requires))} (stated by ${names.party(p.party)}${p.since ? ' on ' + p.since : ''})`;
  sec.append(
    el('p', { class: 'help' }, 'An arrow from X to Y reads “X only after Y”. Red: a cycle of conditions that wait on each other (a deadlock). Dashed grey: met or withdrawn, no longer blocking.'),
    drawGraph(g),
    g.deadlocks.length
      ? el('div', { 'data-testid': 'deadlocks' }, g.deadlocks.map((d, i) => el('div', { class: 'card', 'data-testid': 'deadlock' },
        el('h3', {}, `Deadlock ${i + 1}`),
        d.truncated ? el('p', { class: 'note' }, `Too many cycles to list: the first ${d.cycles.length} are shown, and what would unblock them is worked out from those.`) : null,
        d.cycles.map((c) => el('div', {},
          el('ol', {}, c.preconditions.map((p) => {
            const st = (g.statements || {})[p.statement_id];
            return el('li', {}, preLine(p), p.quote || st ? el('blockquote', { lang: st && st.language || null }, p.quote || st.quote) : null,
              st ? [quoteKind(st.quote_kind), ' · ', sourceLine(st.source)] : null);
          })))),
        el('p', { 'data-testid': 'unblocking' }, el('strong', {}, 'What would unblock it: '),
          d.unblocking && d.unblocking.length
            ? d.unblocking.map((set, j) => [j ? ' or ' : '', 'dropping ', set.map((id) => (byID.get(id) ? `#${id} (${names.party(byID.get(id).party)})` : `#${id}`)).join(' and ')])
            : 'no small set of conditions found.'),
        )))
      : el('p', { 'data-testid': 'deadlocks' }, `No deadlock: ${g.active_preconditions} precondition${g.active_preconditions === 1 ? '' : 's'} in force, none waiting on itself.`),
    el('details', {}, el('summary', {}, `All ${g.edges.length} preconditions`),
      el('ul', { class: 'plain' }, g.edges.map((e) => el('li', {}, preLine(e.precondition), ' ',
        e.active ? el('span', { class: 'badge' }, 'in force') : el('span', { class: 'badge agreement-expired' }, e.precondition.met ? 'met' : 'withdrawn'),
        e.precondition.since ? ` since ${e.precondition.since}` : '', e.precondition.until ? `, until ${e.precondition.until}` : '',
        e.precondition.note ? el('p', { class: 'help' }, e.precondition.note) : null,
        writer && !e.precondition.met && !e.precondition.withdrawn ? stateForm(e.precondition, writer.reload) : null)))));
  return sec;
}

function keyOf(c) { return c.kind === 'agreement' ? `agreement:${c.agreement_id}` : `action:${c.party}:${c.issue}`; }

// ---------- the timeline ----------

function timelineSection(entries, names) {
  const sec = el('section', { 'aria-labelledby': 'tl-h' }, el('h2', { id: 'tl-h' }, 'Timeline'));
  if (!entries.length) { sec.append(el('p', { class: 'muted' }, 'Nothing recorded yet.')); return sec; }
  sec.append(el('ol', { class: 'timeline', 'data-testid': 'timeline' }, entries.map((t) => {
    if (t.event) {
      const e = t.event;
      return el('li', { class: 'event' },
        el('span', { class: 'date' }, t.date), el('span', { class: 'badge' }, words(e.kind)), ' ', el('strong', {}, e.title),
        e.place ? ` · ${e.place}` : '',
        el('div', { class: 'help' },
          (e.participants || []).length ? `Parties: ${e.participants.map(names.party).join(', ')}. ` : '',
          (e.mediators || []).length ? `Mediators: ${e.mediators.join(', ')}. ` : ''),
        e.outcome ? el('p', {}, e.outcome) : null,
        e.agreement_id ? el('p', { class: 'help' }, 'Concerns ', el('a', { href: `/agreements/${encodeURIComponent(e.agreement_id)}` }, e.agreement_id)) : null,
        el('div', {}, (e.sources || []).map((s) => el('div', {}, s.quote ? el('blockquote', {}, s.quote) : null, sourceLine(s)))));
    }
    return el('li', {}, el('span', { class: 'date' }, t.date), statementItem(t.statement, names, { dated: false }));
  })));
  return sec;
}

// ---------- drafts ----------

function draftsSection(drafts, names) {
  const sec = el('section', { 'aria-labelledby': 'dr-h' }, el('h2', { id: 'dr-h' }, 'Draft agreements'));
  if (!drafts.length) { sec.append(el('p', { class: 'muted' }, 'No drafts recorded.')); return sec; }
  for (const d of drafts) {
    sec.append(el('div', { class: 'card' },
      el('h3', {}, d.title, ' ', d.status ? el('span', { class: 'badge' }, words(d.status)) : null),
      el('p', { class: 'muted' }, `${d.id} · version ${d.version}${d.date ? ' · ' + d.date : ''}${(d.parties || []).length ? ' · ' + d.parties.map(names.party).join(', ') : ''}`),
      d.summary ? el('p', {}, d.summary) : null,
      el('ul', {}, d.provisions.map((p) => el('li', {}, p.issue ? el('strong', {}, `${names.issue(p.issue)}: `) : '', p.text,
        p.quote_kind ? el('span', { class: 'help' }, p.quote_kind === 'direct' ? ' (the draft\'s words)' : ' (as reported)') : null))),
      el('div', {}, (d.sources || []).map((s) => el('div', {}, sourceLine(s))))));
  }
  return sec;
}

// ---------- recording (monitors and admins) ----------

function field(id, label, input) {
  input.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}

function select(options, { required = true, empty = false } = {}) {
  return el('select', { required }, empty ? el('option', { value: '' }, '—') : null, options.map(([v, t]) => el('option', { value: v }, t)));
}

// conditionInputs is one side of a precondition: an action by a party on
// an issue, or an agreement taking effect.
function conditionInputs(prefix, partyOpts, issueOpts) {
  const kind = select([['action', 'an action by a party'], ['agreement', 'an agreement taking effect']]);
  const party = select(partyOpts), issue = select(issueOpts), agreement = el('input', { placeholder: 'agreement id' });
  const sync = () => { const a = kind.value === 'action'; party.disabled = issue.disabled = !a; agreement.disabled = a; };
  kind.addEventListener('change', sync);
  sync();
  return {
    node: el('fieldset', {}, el('legend', {}, prefix === 'action' ? 'X: what the party will do' : 'Y: what must happen first'),
      field(`neg-${prefix}-kind`, 'Kind', kind), field(`neg-${prefix}-party`, 'Party', party),
      field(`neg-${prefix}-issue`, 'Issue', issue), field(`neg-${prefix}-agreement`, 'Agreement', agreement)),
    value: () => (kind.value === 'action' ? { kind: 'action', party: party.value, issue: issue.value } : { kind: 'agreement', agreement_id: agreement.value }),
  };
}

function recordSection(parties, issues, reload) {
  const partyOpts = parties.map((p) => [p.code, `${p.name} (${p.code})`]);
  const issueOpts = issues.map((i) => [i.code, i.name]);
  const today = new Date().toISOString().slice(0, 10);

  const st = {
    party: select(partyOpts), issue: select(issueOpts), stance: select(Object.keys(stanceColor).map((k) => [k, k])),
    date: el('input', { type: 'date', value: today, required: true }), quote: el('textarea', { rows: 3, required: true, maxlength: 4000 }),
    kind: select([['direct', 'direct: the speaker\'s words'], ['reported', 'reported: the source\'s account']]),
    title: el('input', { required: true, placeholder: 'publication and headline' }), url: el('input', { type: 'url', placeholder: 'https://' }),
    summary: el('textarea', { rows: 2, maxlength: 4000 }), agreement: el('input', { placeholder: 'optional agreement id' }),
  };
  const stMsg = el('div', { 'aria-live': 'polite' });
  const stForm = el('form', { class: 'card', 'data-testid': 'statement-form' }, el('h3', {}, 'Record a statement'),
    field('neg-st-party', 'Party', st.party), field('neg-st-issue', 'Issue', st.issue), field('neg-st-stance', 'Stance', st.stance),
    field('neg-st-date', 'Date', st.date), field('neg-st-quote', 'Quote (verbatim from the source)', st.quote), field('neg-st-kind', 'The quote is', st.kind),
    field('neg-st-title', 'Source', st.title), field('neg-st-url', 'Source link', st.url), field('neg-st-summary', 'Summary', st.summary),
    field('neg-st-agreement', 'Agreement', st.agreement), el('button', { type: 'submit', class: 'primary' }, 'Record'), stMsg);
  stForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(stMsg);
    const body = { party: st.party.value, issue: st.issue.value, stance: st.stance.value, date: st.date.value, quote: st.quote.value,
      quote_kind: st.kind.value, summary: st.summary.value || undefined, agreement_id: st.agreement.value || undefined,
      source: { title: st.title.value, url: st.url.value || undefined } };
    try { await api('/negotiation/statements', { method: 'POST', body }); reload(); } catch (err) { stMsg.append(errorBox(err)); }
  });

  const pre = { party: select(partyOpts), since: el('input', { type: 'date', value: today }), quote: el('textarea', { rows: 2, maxlength: 4000 }) };
  const action = conditionInputs('action', partyOpts, issueOpts), requires = conditionInputs('requires', partyOpts, issueOpts);
  const preMsg = el('div', { 'aria-live': 'polite' });
  const preForm = el('form', { class: 'card', 'data-testid': 'precondition-form' }, el('h3', {}, 'Record a precondition'),
    el('p', { class: 'help' }, 'Party P will do X only if Y happens first.'),
    field('neg-pre-party', 'Party P', pre.party), action.node, requires.node,
    field('neg-pre-since', 'Stated on', pre.since), field('neg-pre-quote', 'Quote', pre.quote),
    el('button', { type: 'submit', class: 'primary' }, 'Record'), preMsg);
  preForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(preMsg);
    const body = { party: pre.party.value, action: action.value(), requires: requires.value(), since: pre.since.value || undefined, quote: pre.quote.value || undefined };
    try { await api('/negotiation/preconditions', { method: 'POST', body }); reload(); } catch (err) { preMsg.append(errorBox(err)); }
  });
  const is = { code: el('input', { required: true, placeholder: 'e.g. prisoner_exchange' }),
    name: el('input', { required: true }), description: el('textarea', { rows: 2, maxlength: 4000 }) };
  const byCode = Object.fromEntries(issues.map((i) => [i.code, i]));
  is.code.addEventListener('change', () => { const i = byCode[is.code.value]; if (i) { is.name.value = i.name; is.description.value = i.description || ''; } });
  const isMsg = el('div', { 'aria-live': 'polite' });
  const isForm = el('form', { class: 'card', 'data-testid': 'issue-form' }, el('h3', {}, 'Add or edit an issue'),
    el('p', { class: 'help' }, 'Issues are the taxonomy of what is negotiated. An edit is a new version; the old ones are kept.'),
    field('neg-is-code', 'Code', is.code), field('neg-is-name', 'Name', is.name), field('neg-is-description', 'Description', is.description),
    el('button', { type: 'submit', class: 'primary' }, 'Save'), isMsg);
  isForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(isMsg);
    try {
      await api(`/negotiation/issues/${encodeURIComponent(is.code.value)}`, { method: 'PUT', body: { name: is.name.value, description: is.description.value || undefined } });
      reload();
    } catch (err) { isMsg.append(errorBox(err)); }
  });
  return el('section', { 'aria-labelledby': 'rec-h' }, el('h2', { id: 'rec-h' }, 'Record'),
    el('p', { class: 'help' }, 'Every record is logged in the tamper-evident log under your name. Statements are never edited: a new position is a new statement.'),
    el('div', { class: 'grid cols-2' }, stForm, preForm, isForm));
}

// One agreement: the terms in words, the window in its zone and in UTC
// with a countdown, the area on the map, versions, status history,
// sources with their quotes, and the findings against it.
import { api, el, clear, errorBox, badge, fmtIn, fmtUTC, fmtSpan, fmtN, words } from '../app.js';
import { TruceMap } from '../map.js';

const targetWords = { any: 'any target', energy: 'energy facilities', civilian: 'civilian targets' };

function termsInWords(a) {
  const list = (xs) => (xs && xs.length ? xs.join(', ') : 'no one');
  const parts = [];
  if (a.declared_by && a.declared_by.length) parts.push(`Declared by ${list(a.declared_by)}.`);
  if (a.terms_need_review) parts.push('Its terms are not coded yet (imported without them); it is not adjudicated until an analyst codes them.');
  else {
    parts.push(`Binds ${list(a.bound)}.`);
    const where = { land: 'on land', air: 'in the air', sea: 'at sea' };
    const ds = (a.domains || []).map((d) => where[d] || d);
    const dsWords = ds.length > 1 ? `${ds.slice(0, -1).join(', ')} and ${ds[ds.length - 1]}` : ds[0] || '—';
    parts.push(`Forbids hostile acts ${dsWords} against ${(a.targets || []).map((t) => targetWords[t] || t).join(' and ')}.`);
    const ar = a.area;
    if (!ar || (!(ar.countries || []).length && !(ar.admin1 || []).length && !ar.geojson)) parts.push('Applies everywhere.');
    else parts.push(`Applies in ${[...(ar.countries || []), ...(ar.admin1 || [])].join(', ')}${ar.geojson ? (ar.countries?.length || ar.admin1?.length ? ' and a drawn area' : 'a drawn area') : ''}.`);
  }
  return parts.join(' ');
}

function countdown(a, now) {
  const w = a.window || {};
  if (!w.start_utc) return 'No window coded.';
  const start = Date.parse(w.start_utc), end = w.end_utc ? Date.parse(w.end_utc) : null;
  if (now < start) return `Starts in ${fmtSpan(start - now)}`;
  if (end === null || now < end) {
    return `In its window for ${fmtSpan(now - start)}` + (end ? `; ends in ${fmtSpan(end - now)}` : ' (open-ended)');
  }
  return `Ended ${fmtSpan(now - end)} ago (lasted ${fmtSpan(end - start)})`;
}

export default {
  path: '/agreements/:id',
  title: 'Agreement',
  async render(main, { id }) {
    let a;
    try { a = await api(`/agreements/${encodeURIComponent(id)}`); } catch (err) { clear(main, el('h1', {}, id), errorBox(err, 'the agreement')); return; }
    document.title = `${a.title || a.id} · Truce`;
    const w = a.window || {};
    const cd = el('p', { class: 'countdown', 'aria-live': 'off', 'data-testid': 'countdown' }, countdown(a, Date.now()));
    const timer = setInterval(() => { cd.textContent = countdown(a, Date.now()); }, 1000);
    const mapBox = el('div', { class: 'map small' });
    clear(main,
      el('p', {}, el('a', { href: '/agreements' }, '← Agreements')),
      el('h1', {}, a.title || a.id, ' ', badge('agreement', a.status), a.illustrative ? [' ', el('span', { class: 'illustrative' }, 'illustrative: not a fact of the public record')] : null),
      el('p', { class: 'muted' }, `${a.id} · version ${a.version}${a.origin ? ' · ' + a.origin : ''}`),
      el('div', { class: 'grid cols-2' },
        el('section', { class: 'card', 'aria-labelledby': 'terms-h' },
          el('h2', { id: 'terms-h' }, 'Terms'),
          el('p', { 'data-testid': 'terms' }, termsInWords(a)),
          a.description ? el('p', {}, a.description) : null,
          el('h3', {}, 'Window'),
          el('dl', { class: 'kv', 'data-testid': 'window' },
            el('dt', {}, `Local (${w.tz || '—'})`), el('dd', { 'data-testid': 'window-local' }, w.start_utc ? `${fmtIn(w.start_utc, w.tz)} → ${w.end_utc ? fmtIn(w.end_utc, w.tz) : 'open-ended'}` : '—'),
            el('dt', {}, 'UTC'), el('dd', { 'data-testid': 'window-utc' }, w.start_utc ? `${fmtUTC(w.start_utc)} → ${w.end_utc ? fmtUTC(w.end_utc) : 'open-ended'}` : '—'),
            el('dt', {}, 'As written'), el('dd', { class: 'mono' }, `${w.start || '—'} → ${w.end || 'open'} ${w.tz || ''}`)),
          cd,
          a.monitoring ? [el('h3', {}, 'Monitoring'), el('p', {}, `Led by ${(a.monitoring.lead || []).join(', ') || '—'}${(a.monitoring.supporting || []).length ? ', supported by ' + a.monitoring.supporting.join(', ') : ''}. ${a.monitoring.notes || ''}`)] : null,
          (a.consequences || []).length ? [el('h3', {}, 'Announced consequences'), el('ul', {}, a.consequences.map((c) => el('li', {}, `${(c.by || []).join(', ')}${c.by?.length ? ': ' : ''}${c.description}`, c.quote ? el('blockquote', {}, c.quote) : null)))] : null),
        el('section', { class: 'card', 'aria-labelledby': 'area-h' }, el('h2', { id: 'area-h' }, 'Area'), mapBox)),
      el('section', { 'aria-labelledby': 'src-h' }, el('h2', { id: 'src-h' }, 'Sources'),
        (a.sources || []).length ? el('ul', { class: 'plain' }, a.sources.map((s) => el('li', {},
          s.url ? el('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank' }, s.title || s.url) : (s.title || 'Source'),
          s.date ? ` (${s.date})` : '', s.quote ? el('blockquote', { lang: s.language || null }, s.quote) : null))) : el('p', { class: 'muted' }, 'No sources recorded.')),
      el('div', { class: 'grid cols-2' },
        el('section', { 'aria-labelledby': 'ver-h' }, el('h2', { id: 'ver-h' }, 'Versions'),
          el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Version'), el('th', {}, 'Status'), el('th', {}, 'Window (UTC)'))),
            el('tbody', {}, (a.versions || []).map((v) => el('tr', {}, el('td', {}, v.version), el('td', {}, badge('agreement', v.status)),
              el('td', {}, v.window?.start_utc ? `${fmtUTC(v.window.start_utc)} → ${v.window.end_utc ? fmtUTC(v.window.end_utc) : 'open'}` : '—')))))),
        el('section', { 'aria-labelledby': 'hist-h' }, el('h2', { id: 'hist-h' }, 'Status history'),
          (a.status_history || []).length ? el('ol', { class: 'history' }, a.status_history.map((h) => el('li', {}, badge('agreement', h.status), ` ${fmtUTC(h.at)}${h.by ? ' by ' + h.by : ''}${h.reason ? ': ' + h.reason : ''}`))) : el('p', { class: 'muted' }, 'No changes recorded.'))),
      el('section', { 'aria-labelledby': 'find-h', id: 'findings' }, el('h2', { id: 'find-h' }, 'Findings'), el('p', { class: 'muted' }, 'Loading…')));

    const map = new TruceMap(mapBox, { label: `Area of ${a.title || a.id}` });
    map.showArea(a.area).then((drawn) => {
      if (!drawn) mapBox.after(el('p', { class: 'muted' }, 'No area limit: the agreement applies everywhere.'));
    }).catch((err) => mapBox.after(errorBox(err, 'the map')));
    loadFindings(main.querySelector('#findings'), a.id);
    return () => { clearInterval(timer); map.destroy(); };
  },
};

async function loadFindings(box, id) {
  let data;
  try { data = await api(`/findings?agreement=${encodeURIComponent(id)}&limit=200`); } catch (err) { clear(box, el('h2', {}, 'Findings'), errorBox(err, 'findings')); return; }
  const fs = data.findings || data.items || [];
  const byVerdict = {};
  for (const f of fs) byVerdict[f.verdict] = (byVerdict[f.verdict] || 0) + 1;
  clear(box, el('h2', { id: 'find-h' }, 'Findings'),
    el('p', {}, fs.length ? Object.entries(byVerdict).map(([v, n]) => [badge('verdict', v), ` ${fmtN(n)}  `]) : 'No findings published yet.', data.next_cursor ? ' (first page)' : ''),
    fs.length ? el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Subject', 'Verdict', 'Party', 'Reason'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, fs.slice(0, 200).map((f) => el('tr', {},
        el('td', {}, f.subject_kind === 'incident' ? el('a', { href: `/incidents/${f.subject_id}` }, `incident ${f.subject_id}`) : `${f.subject_kind} ${f.subject_id}`),
        el('td', {}, badge('verdict', f.verdict)), el('td', {}, f.party || '—'), el('td', {}, f.reason)))))) : null);
}

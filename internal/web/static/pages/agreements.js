// Every agreement, latest version: status, window in its zone and in UTC,
// who is bound and what is covered.
import { api, el, clear, errorBox, badge, fmtIn, fmtUTC, words } from '../app.js';

export function windowCells(w) {
  if (!w || !w.start_utc) return [el('span', { class: 'muted' }, 'not coded'), ''];
  const local = `${fmtIn(w.start_utc, w.tz)} → ${w.end_utc ? fmtIn(w.end_utc, w.tz) : 'open-ended'} ${w.tz}`;
  const utc = `${fmtUTC(w.start_utc)} → ${w.end_utc ? fmtUTC(w.end_utc) : 'open-ended'}`;
  return [local, utc];
}

export default {
  path: '/agreements',
  title: 'Agreements',
  nav: { label: 'Agreements', order: 20 },
  async render(main) {
    clear(main, el('h1', {}, 'Agreements'));
    let data;
    try { data = await api('/agreements'); } catch (err) { main.append(errorBox(err, 'agreements')); return; }
    const rows = (data.agreements || []).map((a) => {
      const [local, utc] = windowCells(a.window);
      return el('tr', {},
        el('td', {}, el('a', { href: `/agreements/${encodeURIComponent(a.id)}` }, a.title || a.id),
          a.illustrative ? [' ', el('span', { class: 'illustrative' }, 'illustrative')] : null),
        el('td', {}, badge('agreement', a.status)),
        el('td', {}, local), el('td', {}, utc),
        el('td', {}, (a.bound || []).join(', ') || '—'),
        el('td', {}, (a.domains || []).join(', ') || '—'),
        el('td', {}, (a.targets || []).map(words).join(', ') || '—'));
    });
    main.append(el('div', { class: 'scroll' }, el('table', {},
      el('caption', { class: 'muted', style: 'text-align:left' }, `${rows.length} agreements, latest version of each`),
      el('thead', {}, el('tr', {}, ['Agreement', 'Status', 'Window (local)', 'Window (UTC)', 'Binds', 'Domains', 'Protected'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))));
  },
};

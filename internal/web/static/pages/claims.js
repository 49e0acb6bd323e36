// Claims against evidence: each party's aggregate accusation beside what
// the record supports for the same accused, period, area and means.
import { api, el, clear, errorBox, fmtUTC, fmtN, words } from '../app.js';

const tiers = [
  ['reports', 'Reports accusing them'],
  ['alleged', 'Incidents (not rejected)'],
  ['corroborated', 'Corroborated or verified'],
  ['verified', 'Verified'],
];

function meansCount(tally, kind) {
  return ((tally && tally.means) || []).filter((m) => m.kind === kind).reduce((s, m) => s + (m.count || 0), 0);
}

// bars draws one labelled bar per row, scaled to the largest; the numbers
// are written beside the bars so nothing depends on reading a length.
function bars(caption, rows) {
  const max = Math.max(1, ...rows.map((r) => r[2]));
  return el('figure', { style: 'margin:.5rem 0' },
    el('figcaption', { style: 'font-weight:600;margin-bottom:.3rem' }, caption),
    el('div', { class: 'bars' }, rows.map(([cls, label, n]) => [
      el('span', {}, label),
      el('div', { 'aria-hidden': 'true' }, el('div', { class: `bar ${cls}`, style: `width:${(100 * n) / max}%` })),
      el('span', { class: 'num', 'data-testid': `${cls}` }, fmtN(n))])));
}

function claimCard(c, ev) {
  const kinds = (c.means || []).map((m) => m.kind);
  return el('article', { class: 'card', 'aria-labelledby': `claim-${c.id}` },
    el('h2', { id: `claim-${c.id}` }, `${c.claimant} accuses ${c.accused}`, c.illustrative ? [' ', el('span', { class: 'illustrative' }, 'illustrative')] : null),
    el('p', { class: 'muted' }, `${fmtUTC(c.from)} → ${fmtUTC(c.to)}`, c.agreement_id ? [' · under ', el('a', { href: `/agreements/${encodeURIComponent(c.agreement_id)}` }, c.agreement_id)] : null, ev ? ` · ${ev.area}` : ''),
    ev ? [
      kinds.map((k) => bars(`${words(k)}s: claimed vs supported`, [
        ['claimed', 'Claimed', (c.means || []).filter((m) => m.kind === k).reduce((s, m) => s + m.count, 0)],
        ...tiers.map(([key, label]) => [key, label, meansCount(ev[key], k)])])),
      bars('Incidents and reports matching the claim', tiers.map(([key, label]) => [key, label, (ev[key] && ev[key].count) || 0])),
      ev.verdicts && Object.keys(ev.verdicts).length ? el('p', {}, 'Findings of the matching incidents: ', Object.entries(ev.verdicts).map(([k, n]) => `${words(k)} ${fmtN(n)}`).join(', '), '.') : null,
    ] : el('p', { class: 'muted' }, 'Evidence not available.'),
    el('details', {}, el('summary', {}, 'The claim as recorded'),
      el('p', {}, c.summary),
      c.source && c.source.quote ? el('blockquote', {}, c.source.quote, c.source.url ? [' ', el('a', { href: c.source.url, rel: 'noopener noreferrer', target: '_blank' }, 'source')] : null) : null,
      ev && (ev.notes || []).length ? el('ul', { class: 'help' }, ev.notes.map((n) => el('li', {}, n))) : null));
}

export default {
  path: '/claims',
  title: 'Claims',
  nav: { label: 'Claims', order: 40 },
  async render(main) {
    clear(main, el('h1', {}, 'Claims against evidence'),
      el('p', { class: 'muted' }, 'What each party says the other did, beside what the record supports: reports that accuse the same party in the same period and area, the incidents they form, and how many of those a monitor corroborated or verified.'));
    let claims;
    try { claims = (await api('/claims')).claims || []; } catch (err) { main.append(errorBox(err, 'claims')); return; }
    if (!claims.length) { main.append(el('p', {}, 'No claims recorded.')); return; }
    const evs = await Promise.all(claims.map((c) => api(`/claims/${c.id}/evidence`).catch(() => null)));
    main.append(el('div', { class: 'grid cols-2 wide' }, claims.map((c, i) => claimCard(c, evs[i]))));
  },
};

// An incident's detail as the incident page and the review queue show
// it: reports with evidence hashes, why they belong together, the
// corroboration breakdown, findings with reasons, replies and history,
// and the workflow form for monitors.
import { api, el, clear, errorBox, badge, fmtUTC, fmtN, words, worstVerdict } from './app.js';

// The workflow targets offered from each status, as truce.CanTransition
// allows them.
export const transitions = {
  alleged: ['corroborated', 'verified', 'disputed', 'rejected'],
  corroborated: ['verified', 'disputed', 'rejected'],
  verified: ['disputed', 'rejected'],
  disputed: ['verified', 'rejected', 'corroborated'],
  rejected: ['alleged', 'disputed'],
};

const actionLabel = { verified: 'Verify', disputed: 'Dispute', rejected: 'Reject', corroborated: 'Corroborate', alleged: 'Reopen' };

export async function loadIncident(id) {
  const inc = await api(`/incidents/${id}`);
  const ids = inc.report_ids || [];
  let reports = inc.reports;
  if (!reports) {
    reports = await Promise.all(ids.slice(0, 50).map((rid) => api(`/reports/${rid}`).catch((err) => ({ id: rid, _error: err }))));
  }
  return { inc, reports };
}

export function incidentView({ inc, reports }) {
  const c = inc.corroboration || {};
  const members = new Map((inc.members || []).map((m) => [m.report_id, m]));
  return el('div', { class: 'incident' },
    el('h1', {}, inc.title || `Incident ${inc.id}`, ' ', badge('status', inc.status), ' ', badge('verdict', worstVerdict(inc))),
    el('p', { class: 'muted' }, `Incident ${inc.id} · version ${inc.version} · ${fmtUTC(inc.from)} → ${fmtUTC(inc.to)} · `,
      `${inc.lat?.toFixed(3)}, ${inc.lon?.toFixed(3)} ± ${fmtN(inc.radius_km)} km${inc.admin1 ? ' · ' + inc.admin1 : ''}`,
      inc.merged_into ? [' · merged into ', el('a', { href: `/incidents/${inc.merged_into}` }, `incident ${inc.merged_into}`)] : null),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Domains'), el('dd', {}, (inc.domains || []).join(', ') || '—'),
      el('dt', {}, 'Targets'), el('dd', {}, (inc.targets || []).map(words).join(', ') || '—'),
      el('dt', {}, 'Alleged perpetrators'), el('dd', {}, (inc.perpetrators || []).join(', ') || '—')),
    el('div', { class: 'grid cols-2' },
      el('section', { class: 'card', 'aria-labelledby': `corr-${inc.id}` },
        el('h2', { id: `corr-${inc.id}` }, 'Corroboration'),
        el('p', {}, `Score ${(inc.corroboration_score ?? c.score ?? 0).toFixed(2)} from ${fmtN(inc.independent_sources)} independent source(s); ${fmtN(c.fires || 0)} fire detection(s), ${fmtN(c.alerts || 0)} air-raid alert(s) nearby.`),
        (c.terms || []).length ? el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Term'), el('th', { class: 'num' }, 'Points'), el('th', {}, 'Why'))),
          el('tbody', {}, c.terms.map((t) => el('tr', {}, el('td', {}, words(t.name)), el('td', { class: 'num' }, `${t.points.toFixed(2)} / ${t.max.toFixed(2)}`), el('td', {}, t.why))))) : null,
        (c.sources || []).length ? [el('h3', {}, 'Independent sources'), el('ul', {}, c.sources.map((s) => el('li', {}, `${s.key}: report(s) ${s.report_ids.join(', ')}`)))] : null),
      el('section', { class: 'card', 'aria-labelledby': `find-${inc.id}` },
        el('h2', { id: `find-${inc.id}` }, 'Findings'),
        (inc.findings || []).length ? el('ul', { class: 'plain' }, inc.findings.map((f) => el('li', {},
          badge('verdict', f.verdict), ' against ', el('a', { href: `/agreements/${encodeURIComponent(f.agreement_id)}` }, f.agreement_id), ` v${f.agreement_version}`,
          f.party ? ` · ${f.party} held responsible` : '', el('br'), el('span', {}, f.reason)))) : el('p', { class: 'muted' }, 'Not judged against any agreement yet.'))),
    el('section', { 'aria-labelledby': `rep-${inc.id}` },
      el('h2', { id: `rep-${inc.id}` }, `Reports (${(inc.report_ids || []).length})`),
      el('ol', { class: 'plain' }, reports.map((r) => {
        if (r._error) return el('li', { class: 'muted' }, `Report ${r.id}: ${r._error.status === 403 || r._error.status === 401 ? 'not published' : r._error.message}`);
        const m = members.get(r.id);
        return el('li', { class: 'card', style: 'margin-bottom:.5rem' },
          el('strong', {}, `Report ${r.id}`), ` · ${r.source?.kind || ''}${r.source?.name ? ': ' + r.source.name : ''}${r.source?.party ? ' (' + r.source.party + ')' : ''}`,
          r.illustrative ? [' ', el('span', { class: 'illustrative' }, 'illustrative')] : null,
          el('p', {}, r.description),
          m ? el('p', { class: 'muted' }, `Belongs as ${words(m.role)}: ${m.why}`) : null,
          (r.means || []).length ? el('p', {}, 'Means: ', r.means.map((x) => `${x.count ?? ''} ${words(x.kind)}`).join(', ')) : null,
          (r.evidence || []).length ? [el('h3', {}, 'Evidence'), el('ul', {}, r.evidence.map((e) => el('li', {},
            el('span', { class: 'mono', title: 'SHA-256' }, e.sha256), e.media_type ? ` (${e.media_type})` : '',
            e.url ? [' ', el('a', { href: e.url, rel: 'noopener noreferrer', target: '_blank' }, 'link')] : null)))] : null,
          r.log_index != null ? el('p', { class: 'muted' }, `Log entry ${r.log_index}`) : null);
      }))),
    el('div', { class: 'grid cols-2' },
      el('section', { 'aria-labelledby': `hist-${inc.id}` }, el('h2', { id: `hist-${inc.id}` }, 'History'),
        (inc.history || []).length ? el('ol', { class: 'history' }, inc.history.map((t) => el('li', {},
          badge('status', t.from), ' → ', badge('status', t.to), ` ${fmtUTC(t.at)} by ${t.by || 'a monitor'}: ${t.reason}`,
          (t.evidence || []).length ? el('div', { class: 'mono' }, t.evidence.join(' ')) : null))) : el('p', { class: 'muted' }, 'No workflow steps yet.')),
      el('section', { 'aria-labelledby': `rep2-${inc.id}` }, el('h2', { id: `rep2-${inc.id}` }, 'Replies'),
        (inc.replies || []).length ? el('ul', { class: 'plain' }, inc.replies.map((r) => el('li', {}, el('strong', {}, r.party), ` (${r.status}, ${fmtUTC(r.at)}): `, r.body))) : el('p', { class: 'muted' }, 'No replies.'))));
}

// workflowForm offers the transitions open from the incident's status,
// each needing a reason. onDone gets the updated incident.
export function workflowForm(inc, onDone, { idPrefix = 'wf', keys = {} } = {}) {
  const reason = el('textarea', { id: `${idPrefix}-reason`, name: 'reason', required: true, maxlength: 10000, placeholder: 'Why: what you checked, what it showed' });
  const evidence = el('input', { id: `${idPrefix}-evidence`, name: 'evidence', placeholder: 'SHA-256 hashes, space separated (optional)', class: 'mono', style: 'width:100%' });
  const msg = el('div', { 'aria-live': 'assertive' });
  const submit = async (to) => {
    clear(msg);
    if (!reason.value.trim()) {
      msg.append(el('p', { class: 'error', role: 'alert' }, `A reason is required to ${actionLabel[to].toLowerCase()} an incident.`));
      reason.focus();
      return false;
    }
    try {
      const body = { to, reason: reason.value.trim(), version: inc.version };
      const ev = evidence.value.trim().split(/\s+/).filter(Boolean);
      if (ev.length) body.evidence = ev;
      const res = await api(`/incidents/${inc.id}/transitions`, { method: 'POST', body });
      reason.value = ''; evidence.value = '';
      msg.append(el('p', { class: 'note', role: 'status' }, `Incident ${inc.id} is now ${words(to)}.`));
      if (onDone) await onDone(res, to);
      return true;
    } catch (err) {
      msg.append(errorBox(err));
      if (err.status === 409) msg.append(el('p', {}, 'Someone changed this incident meanwhile; it has been reloaded.'));
      if (err.status === 409 && onDone) await onDone(null, null);
      return false;
    }
  };
  const buttons = (transitions[inc.status] || []).map((to) => el('button', { type: 'button', class: to, 'data-to': to, 'aria-keyshortcuts': keys[to] || null, onclick: () => submit(to) }, actionLabel[to], keys[to] ? [' ', el('kbd', {}, keys[to])] : null));
  const form = el('form', { class: 'card', 'aria-label': 'Workflow', onsubmit: (e) => e.preventDefault() },
    el('h2', {}, 'Decision'),
    el('div', { class: 'field' }, el('label', { for: `${idPrefix}-reason` }, 'Reason (required)'), reason),
    el('div', { class: 'field' }, el('label', { for: `${idPrefix}-evidence` }, 'Evidence hashes'), evidence),
    el('div', { class: 'queue-nav' }, buttons), msg);
  return { form, submit, reason };
}

// replyForm lets a liaison answer an incident on behalf of its party (the
// server checks that the incident accuses that party).
export function replyForm(inc, party, onDone) {
  const body = el('textarea', { id: 'reply-body', required: true, maxlength: 10000, placeholder: `${party}'s answer` });
  const msg = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'card', 'aria-label': 'Reply' },
    el('h2', {}, `Reply for ${party}`),
    el('div', { class: 'field' }, el('label', { for: 'reply-body' }, 'Reply'), body),
    el('button', { type: 'submit', class: 'primary' }, 'Send the reply'), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg);
    try {
      await api(`/incidents/${inc.id}/replies`, { method: 'POST', body: { body: body.value } });
      if (onDone) await onDone();
    } catch (err) {
      msg.append(errorBox(err));
    }
  });
  return form;
}

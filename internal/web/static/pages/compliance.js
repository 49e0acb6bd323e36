// The daily compliance report of an agreement, as the API renders it
// (GET /api/v1/compliance/daily, embedded as its self-contained HTML in a
// frame, so the page and the printed or downloaded report are the same
// bytes), with the downloads, the log size to rebuild it from, and the
// open alerts of the agreement's rules for the signed-in.
import { api, listAll, el, clear, errorBox, fmtUTC } from '../app.js';

const reportURL = (q, format) => {
  const p = new URLSearchParams({ agreement: q.agreement, date: q.date, format });
  if (q.as_of) p.set('as_of', q.as_of);
  return `/api/v1/compliance/daily?${p}`;
};

function alertList(alerts, app, reload) {
  if (!alerts.length) return el('p', { class: 'muted', 'data-testid': 'no-alerts' }, 'No open alerts for this agreement.');
  return el('ul', { 'data-testid': 'alerts' }, alerts.map((a) => el('li', { 'data-alert': String(a.id), 'data-state': a.state },
    el('span', { class: `badge ${a.state === 'acknowledged' ? 'status-verified' : 'verdict-violation'}` }, a.state === 'opened' ? 'open' : a.state), ' ',
    a.summary, ' ', el('span', { class: 'muted' }, `(at log size ${a.log_size}, ${fmtUTC(a.at)})`), ' ',
    (a.incidents || []).map((id) => [el('a', { href: `/incidents/${id}` }, `#${id}`), ' ']),
    a.state === 'opened' && app.can('monitor', 'admin')
      ? el('button', {
        type: 'button', 'data-testid': `ack-${a.id}`,
        onclick: async (e) => {
          e.target.disabled = true;
          try { await api(`/api/v1/alerts/${a.id}/acknowledge`, { method: 'POST', body: { note: '' } }); reload(); } catch (err) { e.target.after(errorBox(err, 'the acknowledgement')); }
        },
      }, 'Acknowledge')
      : null)));
}

export default {
  path: '/compliance',
  title: 'Compliance report',
  nav: { label: 'Compliance', order: 55 },
  async render(main, _params, app) {
    const sp = new URLSearchParams(location.search);
    const q = { agreement: sp.get('agreement') || '', date: sp.get('date') || '', as_of: sp.get('as_of') || '' };
    clear(main, el('h1', {}, 'Daily compliance report'),
      el('p', { class: 'muted' }, 'What a guarantor reads every morning: one agreement, one reporting day in the agreement\'s own time zone. Each report names the log size and root hash it was computed from; the same size rebuilds it byte for byte.'));
    let agreements;
    try {
      agreements = await listAll('/agreements', 'agreements');
    } catch (err) {
      main.append(errorBox(err, 'the agreements'));
      return;
    }
    const select = el('select', { id: 'c-agreement', name: 'agreement' }, agreements.map((a) => el('option', { value: a.id, selected: a.id === q.agreement }, `${a.title || a.id} (${a.status})`)));
    const date = el('input', { id: 'c-date', name: 'date', type: 'date', value: q.date, required: true });
    const asOf = el('input', { id: 'c-asof', name: 'as_of', type: 'number', min: '0', value: q.as_of, placeholder: 'latest' });
    const form = el('form', { class: 'filters', 'data-testid': 'compliance-form' },
      el('label', { class: 'field' }, 'Agreement', select),
      el('label', { class: 'field' }, 'Reporting day', date),
      el('label', { class: 'field' }, 'As of log size', asOf),
      el('button', { type: 'submit' }, 'Show report'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const p = new URLSearchParams({ agreement: select.value, date: date.value });
      if (asOf.value) p.set('as_of', asOf.value);
      app.navigate(`/compliance?${p}`);
    });
    main.append(form);
    if (!q.agreement || !q.date) {
      main.append(el('p', { class: 'note' }, 'Choose an agreement and a reporting day.'));
      return;
    }
    const frame = el('iframe', { title: 'Compliance report', 'data-testid': 'report-frame', src: reportURL(q, 'html'), style: 'width:100%;height:1400px;border:1px solid var(--line);border-radius:6px;background:#fff' });
    main.append(
      el('p', { class: 'queue-nav', 'data-testid': 'downloads' }, 'Download: ',
        ['html', 'json', 'csv', 'md', 'pdf'].map((f) => [el('a', { href: reportURL(q, f), download: `compliance-${q.agreement}-${q.date}.${f}` }, f.toUpperCase()), ' ']),
        el('button', { type: 'button', onclick: () => frame.contentWindow.print() }, 'Print / save as PDF')));
    if (app.user) {
      const box = el('section', { class: 'card', 'aria-labelledby': 'alerts-h' }, el('h2', { id: 'alerts-h' }, 'Open alerts'));
      main.append(box);
      const load = async () => {
        try {
          const { alerts } = await api(`/api/v1/alerts?open=true&limit=1000&agreement=${encodeURIComponent(q.agreement)}`);
          clear(box, el('h2', { id: 'alerts-h' }, 'Open alerts'), alertList(alerts, app, load));
        } catch (err) {
          box.append(errorBox(err, 'the alerts'));
        }
      };
      await load();
    }
    main.append(frame);
  },
};

// The review queue for monitors: one incident at a time, next and
// previous, and verify, dispute, reject or corroborate with a reason,
// all from the keyboard.
import { listAll, el, clear, errorBox, fmtN, words } from '../app.js';
import { loadIncident, incidentView, workflowForm, transitions } from '../incident.js';

const pending = ['alleged', 'corroborated', 'disputed'];
const keys = { v: 'verified', d: 'disputed', r: 'rejected', c: 'corroborated' };

export default {
  path: '/queue',
  title: 'Review queue',
  nav: { label: 'Review queue', order: 30, roles: ['monitor', 'admin'] },
  async render(main, _params, app) {
    if (!app.can('monitor', 'admin')) {
      clear(main, el('h1', {}, 'Review queue'), el('p', {}, 'Only monitors review incidents. ', el('a', { href: '/login?next=/queue' }, 'Sign in'), ' as a monitor.'));
      return;
    }
    const status = el('p', { class: 'queue-nav', 'aria-live': 'polite' });
    const prevB = el('button', { type: 'button', id: 'q-prev' }, 'Previous ', el('kbd', {}, 'k'));
    const nextB = el('button', { type: 'button', id: 'q-next' }, 'Next ', el('kbd', {}, 'j'));
    const pos = el('span', { id: 'q-pos' });
    const body = el('div', { id: 'q-body' });
    const help = el('details', { class: 'help' }, el('summary', {}, 'Keyboard shortcuts ', el('kbd', {}, '?')),
      el('ul', {},
        el('li', {}, el('kbd', {}, 'j'), ' or ', el('kbd', {}, '→'), ' next; ', el('kbd', {}, 'k'), ' or ', el('kbd', {}, '←'), ' previous'),
        el('li', {}, el('kbd', {}, 'v'), ' verify, ', el('kbd', {}, 'd'), ' dispute, ', el('kbd', {}, 'r'), ' reject, ', el('kbd', {}, 'c'), ' corroborate: with a reason typed, it applies at once; otherwise type the reason and press ', el('kbd', {}, 'Enter')),
        el('li', {}, el('kbd', {}, 'e'), ' edit the reason, ', el('kbd', {}, 'Esc'), ' leave the text field, ', el('kbd', {}, 'o'), ' open the incident page')));
    clear(main, el('h1', {}, 'Review queue'),
      el('p', { class: 'muted' }, 'Incidents alleged, corroborated or disputed, most corroborated first.'),
      el('div', { class: 'queue-nav' }, prevB, nextB, pos), help, status, body);

    let queue = [];
    try {
      const lists = await Promise.all(pending.map((st) => listAll(`/incidents?status=${st}`, 'incidents')));
      queue = lists.flat();
      queue.sort((a, b) => (b.corroboration_score || 0) - (a.corroboration_score || 0) || Date.parse(b.from) - Date.parse(a.from));
    } catch (err) {
      body.append(errorBox(err, 'the queue'));
      return;
    }
    let i = 0, wf = null, action = null, current = null;

    const show = async (message) => {
      clear(status, message ? el('span', { role: 'status' }, message) : null);
      // The position changes with the incident shown, not before it loads,
      // so that what it says always matches the page.
      const setPos = () => {
        pos.textContent = queue.length ? `${i + 1} of ${fmtN(queue.length)}` : '';
        prevB.disabled = i <= 0; nextB.disabled = i >= queue.length - 1;
      };
      if (!queue.length) { setPos(); clear(body, el('p', { class: 'note', 'data-testid': 'queue-empty' }, 'Nothing to review.')); return; }
      const id = queue[i].id;
      let data;
      try { data = await loadIncident(id); } catch (err) { clear(body, errorBox(err, `incident ${id}`)); return; }
      current = data.inc;
      queue[i] = data.inc;
      wf = workflowForm(data.inc, async (res, to) => {
        if (to) {
          if (to === 'verified' || to === 'rejected') { queue.splice(i, 1); if (i >= queue.length) i = Math.max(0, queue.length - 1); }
          else if (i < queue.length - 1) i++;
        }
        await show(to ? `Incident ${id} is now ${words(to)}.` : `Incident ${id} changed meanwhile and was reloaded.`);
      }, { idPrefix: 'q', keys: Object.fromEntries(Object.entries(keys).map(([k, to]) => [to, k])) });
      wf.reason.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.shiftKey && action) { e.preventDefault(); wf.submit(action); }
        if (e.key === 'Escape') { e.preventDefault(); wf.reason.blur(); action = null; }
      });
      clear(body, el('div', { class: 'dash' }, el('div', {}, incidentView(data)), el('div', {}, wf.form,
        el('p', {}, el('a', { href: `/incidents/${id}`, id: 'q-open' }, 'Open the incident page ', el('kbd', {}, 'o'))))));
      setPos();
      action = null;
    };
    const go = (d) => { const j = i + d; if (j < 0 || j >= queue.length) return; i = j; show(); };
    prevB.addEventListener('click', () => go(-1));
    nextB.addEventListener('click', () => go(1));

    const onKey = (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      const k = e.key;
      if (k === 'j' || k === 'ArrowRight') { e.preventDefault(); go(1); }
      else if (k === 'k' || k === 'ArrowLeft') { e.preventDefault(); go(-1); }
      else if (k === '?') { e.preventDefault(); help.open = !help.open; }
      else if (k === 'o' && current) { e.preventDefault(); app.navigate(`/incidents/${current.id}`); }
      else if (k === 'e' && wf) { e.preventDefault(); wf.reason.focus(); }
      else if (keys[k] && wf && current) {
        e.preventDefault();
        const to = keys[k];
        if (!(transitions[current.status] || []).includes(to)) {
          clear(status, el('span', { class: 'error', role: 'alert' }, `A ${current.status} incident cannot become ${to}.`));
          return;
        }
        if (wf.reason.value.trim()) { wf.submit(to); return; }
        action = to;
        clear(status, el('span', { role: 'status' }, `Type the reason, then press Enter to mark it ${words(to)} (Esc to cancel).`));
        wf.reason.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    await show();
    return () => document.removeEventListener('keydown', onKey);
  },
};

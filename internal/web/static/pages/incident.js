// One incident: reports, evidence, corroboration, findings, replies,
// history, and the workflow for monitors.
import { el, clear, errorBox } from '../app.js';
import { loadIncident, incidentView, workflowForm } from '../incident.js';

export default {
  path: '/incidents/:id',
  title: 'Incident',
  async render(main, { id }, app) {
    const show = async () => {
      let data;
      try { data = await loadIncident(id); } catch (err) { clear(main, el('h1', {}, `Incident ${id}`), errorBox(err, 'the incident')); return; }
      document.title = `${data.inc.title || 'Incident ' + id} · Truce`;
      clear(main, el('p', {}, el('a', { href: '/' }, '← Dashboard'), app.can('monitor', 'admin') ? [' · ', el('a', { href: '/queue' }, 'Review queue')] : null),
        incidentView(data),
        app.can('monitor', 'admin') ? workflowForm(data.inc, () => show()).form : null);
    };
    await show();
  },
};

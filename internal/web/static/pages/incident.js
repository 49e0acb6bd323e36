// One incident: reports, evidence, corroboration, findings, replies,
// history, where it happened, and the workflow for monitors.
import { el, clear, errorBox } from '../app.js';
import { loadIncident, incidentView, workflowForm, replyForm } from '../incident.js';
import { TruceMap, hasMapLibs } from '../map.js';

export default {
  path: '/incidents/:id',
  title: 'Incident',
  async render(main, { id }, app) {
    let map = null;
    const show = async () => {
      let data;
      try { data = await loadIncident(id); } catch (err) { clear(main, el('h1', {}, `Incident ${id}`), errorBox(err, 'the incident')); return; }
      document.title = `${data.inc.title || 'Incident ' + id} · Truce`;
      if (map) map.destroy();
      const mapBox = el('div', { class: 'map small' });
      clear(main, el('p', {}, el('a', { href: '/' }, '← Dashboard'), app.can('monitor', 'admin') ? [' · ', el('a', { href: '/queue' }, 'Review queue')] : null),
        incidentView(data),
        el('div', { class: 'grid cols-2' },
          el('section', { 'aria-labelledby': 'where-h' }, el('h2', { id: 'where-h' }, 'Where'), mapBox),
          app.can('monitor', 'admin') ? workflowForm(data.inc, () => show()).form : null,
          app.can('liaison') && app.user.party ? replyForm(data.inc, app.user.party, () => show()) : null));
      map = new TruceMap(mapBox, { label: `Where incident ${id} happened` });
      const inc = data.inc;
      if (hasMapLibs() && Number.isFinite(inc.lat)) {
        await map.ready;
        if (!map.map) return;
        const L = window.L;
        const circle = L.circle([inc.lat, inc.lon], { radius: Math.max(500, (inc.radius_km || 0) * 1000), color: '#b3261e', weight: 2, fillOpacity: 0.15 }).addTo(map.map);
        L.circleMarker([inc.lat, inc.lon], { radius: 5, color: '#1b2230', weight: 1, fillColor: '#b3261e', fillOpacity: 1 }).addTo(map.map);
        map.map.fitBounds(circle.getBounds(), { maxZoom: 9, padding: [30, 30] });
      }
    };
    await show();
    return () => { if (map) map.destroy(); };
  },
};

// The offline map: Leaflet with no tile layer, the basemap drawn on a
// canvas from /geo/basemap.json (countries and Ukraine's oblasts, built
// by the server from its embedded boundaries), agreement areas, and
// incidents clustered with supercluster so that 100,000 of them stay
// smooth: only the clusters in view are drawn, each a single canvas
// circle or a small label.
import { el, statusColor, verdictColor, worstVerdict, words, fmtUTC } from './app.js';

let basemapPromise = null;

// basemap fetches the boundaries once per page load.
export function basemap() {
  if (!basemapPromise) {
    basemapPromise = fetch('/geo/basemap.json').then((r) => {
      if (!r.ok) throw new Error(`basemap: HTTP ${r.status}`);
      return r.json();
    });
    basemapPromise.catch(() => { basemapPromise = null; });
  }
  return basemapPromise;
}

export const hasMapLibs = () => typeof window.L !== 'undefined';

// The view over Ukraine and its neighbours, where the demo mission is.
const homeBounds = [[44.0, 22.0], [52.5, 40.5]];

// TruceMap wraps one Leaflet map in container.
export class TruceMap {
  constructor(container, { label = 'Map', bounds = homeBounds } = {}) {
    this.container = container;
    container.classList.add('map');
    container.setAttribute('role', 'region');
    container.setAttribute('aria-label', label);
    if (!hasMapLibs()) {
      container.append(el('p', { class: 'note' }, 'The map library is not built into this binary (run make web).'));
      this.map = null;
      return;
    }
    const L = window.L;
    this.map = L.map(container, { preferCanvas: true, zoomSnap: 0.5, minZoom: 2, maxZoom: 13, worldCopyJump: false, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution('Boundaries: Natural Earth, geoBoundaries');
    this.map.fitBounds(bounds);
    // Panes keep the drawing order whatever loads first: boundaries,
    // then areas and sensor layers, then incidents on top.
    this.map.createPane('truce-base').style.zIndex = 350;
    this.map.createPane('truce-points').style.zIndex = 450;
    this.baseRenderer = L.canvas({ padding: 0.5, pane: 'truce-base' });
    this.pointRenderer = L.canvas({ padding: 0.2, pane: 'truce-points' });
    this.areaLayer = L.layerGroup().addTo(this.map);
    this.obsLayer = L.layerGroup().addTo(this.map);
    this.clusterLayer = L.layerGroup().addTo(this.map);
    this.ready = this.drawBasemap();
    this.map.on('moveend', () => this.renderClusters());
  }

  async drawBasemap() {
    const L = window.L;
    const fc = await basemap();
    this.features = fc.features;
    const style = (f) => f.properties.level === 'admin1'
      ? { color: '#8c877c', weight: 0.7, fillColor: '#f4f1ea', fillOpacity: 1 }
      : { color: '#a9a49a', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1 };
    // Countries first, oblasts over them.
    const countries = fc.features.filter((f) => f.properties.level !== 'admin1');
    const admin1 = fc.features.filter((f) => f.properties.level === 'admin1');
    this.baseLayer = L.geoJSON({ type: 'FeatureCollection', features: countries.concat(admin1) },
      { renderer: this.baseRenderer, interactive: false, style }).addTo(this.map);
    this.container.dataset.boundaries = String(fc.features.length);
    this.container.dataset.admin1 = String(admin1.length);
    return this;
  }

  // showArea highlights an agreement's area: its countries and admin-1
  // units from the basemap, and its own polygon. Returns whether anything
  // was drawn (an empty area means everywhere).
  async showArea(area, { fit = true, color = '#1f4e79' } = {}) {
    if (!this.map) return false;
    await this.ready;
    const L = window.L;
    this.areaLayer.clearLayers();
    if (!area) return false;
    const codes = new Set([...(area.countries || []), ...(area.admin1 || [])].map((c) => c.toUpperCase()));
    const feats = this.features.filter((f) => codes.has(String(f.properties.code).toUpperCase()));
    const style = { color, weight: 2, fillColor: color, fillOpacity: 0.18 };
    const layers = [];
    if (feats.length) layers.push(L.geoJSON({ type: 'FeatureCollection', features: feats }, { renderer: this.baseRenderer, interactive: false, style }));
    if (area.geojson) layers.push(L.geoJSON(area.geojson, { renderer: this.baseRenderer, interactive: false, style: { ...style, dashArray: '6 4' } }));
    for (const l of layers) l.addTo(this.areaLayer);
    this.container.dataset.areaFeatures = String(feats.length + (area.geojson ? 1 : 0));
    if (fit && layers.length) {
      const b = L.featureGroup(layers).getBounds();
      if (b.isValid()) this.map.fitBounds(b, { padding: [20, 20], maxZoom: 8 });
    }
    return layers.length > 0;
  }

  // setIncidents replaces the incidents shown. colorBy is "status" or
  // "verdict". Points are indexed once; panning only re-reads clusters.
  setIncidents(incidents, colorBy = 'status') {
    if (!this.map || typeof window.Supercluster === 'undefined') return;
    this.incidents = incidents;
    this.colorBy = colorBy;
    const keys = colorBy === 'verdict' ? Object.keys(verdictColor) : Object.keys(statusColor);
    this.keys = keys;
    const points = [];
    for (let i = 0; i < incidents.length; i++) {
      const inc = incidents[i];
      if (!Number.isFinite(inc.lat) || !Number.isFinite(inc.lon)) continue;
      const k = keys.indexOf(colorBy === 'verdict' ? worstVerdict(inc) : inc.status);
      points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [inc.lon, inc.lat] }, properties: { i, k } });
    }
    this.index = new window.Supercluster({
      radius: 45, maxZoom: 10, minPoints: 3,
      map: (p) => ({ n: keys.map((_, j) => (j === p.k ? 1 : 0)) }),
      reduce: (acc, p) => { for (let j = 0; j < acc.n.length; j++) acc.n[j] += p.n[j]; },
    }).load(points);
    this.container.dataset.incidents = String(points.length);
    this.renderClusters();
  }

  colorOf(k) {
    const key = this.keys[k];
    return (this.colorBy === 'verdict' ? verdictColor : statusColor)[key] || '#666';
  }

  renderClusters() {
    if (!this.index) return;
    const L = window.L;
    const t0 = performance.now();
    const b = this.map.getBounds();
    const zoom = Math.round(this.map.getZoom());
    const clusters = this.index.getClusters([b.getWest() - 1, b.getSouth() - 1, b.getEast() + 1, b.getNorth() + 1], zoom);
    this.clusterLayer.clearLayers();
    for (const c of clusters) {
      const [lon, lat] = c.geometry.coordinates;
      if (c.properties.cluster) {
        const n = c.properties.n;
        let best = 0;
        for (let j = 1; j < n.length; j++) if (n[j] > n[best]) best = j;
        const count = c.properties.point_count;
        const r = Math.min(28, 8 + Math.sqrt(count) * 1.2);
        const m = L.circleMarker([lat, lon], { renderer: this.pointRenderer, radius: r, color: '#fff', weight: 1.5, fillColor: this.colorOf(best), fillOpacity: 0.85 });
        const parts = this.keys.map((k, j) => (n[j] ? `${n[j]} ${words(k)}` : '')).filter(Boolean).join(', ');
        m.bindTooltip(`${count.toLocaleString('en-GB')} incidents: ${parts}. Click to zoom in.`);
        m.on('click', () => this.map.flyTo([lat, lon], Math.min(this.index.getClusterExpansionZoom(c.properties.cluster_id), 12), { duration: 0.4 }));
        m.addTo(this.clusterLayer);
      } else {
        const inc = this.incidents[c.properties.i];
        const m = L.circleMarker([lat, lon], { renderer: this.pointRenderer, radius: 5, color: '#1b2230', weight: 0.8, fillColor: this.colorOf(c.properties.k), fillOpacity: 0.95 });
        m.bindPopup(() => incidentPopup(inc));
        m.addTo(this.clusterLayer);
      }
    }
    this.lastRenderMs = performance.now() - t0;
    this.container.dataset.clusters = String(clusters.length);
  }

  // setObservations shows sensor signals: fires as small dots, alerts as
  // shaded admin-1 units.
  async setObservations(kind, list) {
    if (!this.map) return;
    await this.ready;
    const L = window.L;
    if (!this.obs) this.obs = {};
    if (this.obs[kind]) { this.obsLayer.removeLayer(this.obs[kind]); delete this.obs[kind]; }
    if (!list) return;
    const g = L.layerGroup();
    if (kind === 'alert') {
      const units = new Map();
      for (const o of list) if (o.admin1) units.set(o.admin1, (units.get(o.admin1) || 0) + 1);
      const feats = this.features.filter((f) => units.has(f.properties.code));
      L.geoJSON({ type: 'FeatureCollection', features: feats }, { renderer: this.baseRenderer, interactive: false,
        style: (f) => ({ color: '#b3261e', weight: 1, fillColor: '#e57373', fillOpacity: Math.min(0.55, 0.1 + 0.02 * units.get(f.properties.code)) }) }).addTo(g);
    } else {
      for (const o of list) {
        if (o.lat == null || o.lon == null) continue;
        L.circleMarker([o.lat, o.lon], { renderer: this.pointRenderer, radius: 2.5, stroke: false, fillColor: '#e65100', fillOpacity: 0.8, interactive: false }).addTo(g);
      }
    }
    g.addTo(this.obsLayer);
    this.obs[kind] = g;
  }

  destroy() { if (this.map) this.map.remove(); }
}

function incidentPopup(inc) {
  return el('div', {},
    el('strong', {}, inc.title || `Incident ${inc.id}`), el('br'),
    `${words(inc.status)} · ${(inc.domains || []).join(', ')}`, el('br'),
    fmtUTC(inc.from), el('br'),
    el('a', { href: `/incidents/${inc.id}` }, 'Open incident'));
}

// legend returns the colour key for colorBy.
export function legend(colorBy) {
  const colors = colorBy === 'verdict' ? verdictColor : statusColor;
  return el('div', { class: 'legend', 'aria-label': `Colours by ${colorBy}` },
    Object.entries(colors).map(([k, c]) => el('span', {}, el('i', { style: `background:${c}` }), words(k === 'none' ? 'not judged' : k))));
}

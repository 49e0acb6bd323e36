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
    this.baseRenderer = L.canvas({ padding: 0.1, pane: 'truce-base' });
    this.pointRenderer = L.canvas({ padding: 0.2, pane: 'truce-points' });
    this.areaLayer = L.layerGroup().addTo(this.map);
    this.obsLayer = L.layerGroup().addTo(this.map);
        this.ready = this.drawBasemap();
  }

  async drawBasemap() {
    const L = window.L;
    const fc = await basemap();
    this.features = fc.features;
    if (!this.map) return this; // left before the boundaries arrived
    const style = (f) => f.properties.level === 'admin1'
      ? { color: '#8c877c', weight: 0.7, fillColor: '#f4f1ea', fillOpacity: 1 }
      : { color: '#a9a49a', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1 };
    // Countries first, oblasts over them.
    const countries = fc.features.filter((f) => f.properties.level !== 'admin1');
    const admin1 = fc.features.filter((f) => f.properties.level === 'admin1');
    this.baseLayer = L.geoJSON({ type: 'FeatureCollection', features: countries.concat(admin1) },
      { renderer: this.baseRenderer, interactive: false, style, smoothFactor: 2 }).addTo(this.map);
    this.container.dataset.boundaries = String(fc.features.length);
    this.container.dataset.admin1 = String(admin1.length);
    return this;
  }

  // showArea highlights an agreement's area: its countries and admin-1
  // units from the basemap, and its own polygon. Returns whether anything
  // was drawn (an empty area means everywhere).
  // area may also be a list of areas, drawn together (the dashboard shows
  // every agreement's area until one is chosen).
  async showArea(area, { fit = true, color = '#1f4e79', opacity = 0.18 } = {}) {
    if (!this.map) return false;
    await this.ready;
    if (!this.map) return false;
    const L = window.L;
    this.areaLayer.clearLayers();
    const areas = (Array.isArray(area) ? area : [area]).filter(Boolean);
    if (!areas.length) return false;
    const codes = new Set(areas.flatMap((a) => [...(a.countries || []), ...(a.admin1 || [])]).map((c) => c.toUpperCase()));
    const feats = this.features.filter((f) => codes.has(String(f.properties.code).toUpperCase()));
    const style = { color, weight: 2, fillColor: color, fillOpacity: opacity };
    const layers = [];
    if (feats.length) layers.push(L.geoJSON({ type: 'FeatureCollection', features: feats }, { renderer: this.baseRenderer, interactive: false, style }));
    for (const a of areas) if (a.geojson) layers.push(L.geoJSON(a.geojson, { renderer: this.baseRenderer, interactive: false, style: { ...style, dashArray: '6 4' } }));
    for (const l of layers) l.addTo(this.areaLayer);
    this.container.dataset.areaFeatures = String(layers.length ? feats.length + areas.filter((a) => a.geojson).length : 0);
    if (fit && layers.length) {
      const b = L.featureGroup(layers).getBounds();
      if (b.isValid()) this.map.fitBounds(b, { padding: [20, 20], maxZoom: 8 });
    }
    return layers.length > 0;
  }

  // setIncidents replaces the incidents shown. colorBy is "status" or
  // "verdict". Points are indexed once; a move only re-reads the clusters
  // in view and paints them on one canvas, so the cost of a frame depends
  // on what is visible, not on how many incidents there are.
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
    const nk = keys.length;
    this.index = new window.Supercluster({
      radius: 40, maxZoom: 9, minPoints: 3,
      map: (p) => { const n = new Array(nk).fill(0); n[p.k] = 1; return { n }; },
      reduce: (acc, p) => { for (let j = 0; j < nk; j++) acc.n[j] += p.n[j]; },
    }).load(points);
    this.container.dataset.incidents = String(points.length);
    if (!this.canvasLayer) {
      this.canvasLayer = new (incidentCanvas())(this).addTo(this.map);
      this.map.on('click', (e) => this.onClick(e));
    }
    this.renderClusters();
  }

  colorOf(k) {
    const key = this.keys[k];
    return (this.colorBy === 'verdict' ? verdictColor : statusColor)[key] || '#666';
  }

  // renderClusters reads the marks in view (with a margin) and paints them.
  renderClusters() {
    if (!this.map || !this.index || !this.canvasLayer) return;
    const t0 = performance.now();
    const b = this.map.getBounds().pad(0.1);
    const zoom = Math.round(this.map.getZoom());
    const clusters = this.index.getClusters([Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())], zoom);
    this.marks = clusters.map((c) => {
      const [lon, lat] = c.geometry.coordinates;
      if (c.properties.cluster) {
        const n = c.properties.n;
        let best = 0;
        for (let j = 1; j < n.length; j++) if (n[j] > n[best]) best = j;
        const count = c.properties.point_count;
        return { lat, lon, count, r: Math.min(24, 7 + Math.sqrt(count) * 0.9), color: this.colorOf(best), c };
      }
      return { lat, lon, count: 1, r: 4.5, color: this.colorOf(c.properties.k), inc: this.incidents[c.properties.i] };
    });
    this.container.dataset.clusters = String(this.marks.length);
    this.canvasLayer.draw();
    this.lastRenderMs = performance.now() - t0;
  }

  // onClick zooms into a cluster or opens an incident's popup.
  onClick(e) {
    if (!this.marks) return;
    const p = e.containerPoint;
    let hit = null, best = Infinity;
    for (const m of this.marks) {
      const q = this.map.latLngToContainerPoint([m.lat, m.lon]);
      const d = Math.hypot(q.x - p.x, q.y - p.y);
      if (d <= m.r + 3 && d < best) { best = d; hit = m; }
    }
    if (!hit) return;
    if (hit.c) {
      this.map.flyTo([hit.lat, hit.lon], Math.min(this.index.getClusterExpansionZoom(hit.c.properties.cluster_id), 12), { duration: 0.4 });
    } else {
      window.L.popup().setLatLng([hit.lat, hit.lon]).setContent(incidentPopup(hit.inc)).openOn(this.map);
    }
  }

  // setObservations shows sensor signals: fires as small dots, alerts as
  // shaded admin-1 units.
  async setObservations(kind, list) {
    if (!this.map) return;
    await this.ready;
    if (!this.map) return;
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

  destroy() { if (this.map) this.map.remove(); this.map = null; this.index = null; }
}

// incidentCanvas makes the Leaflet layer that paints the marks of a
// TruceMap on one canvas, sized to the view and hidden while a zoom
// animates (the marks are re-read when it ends).
function incidentCanvas() {
  const L = window.L;
  return L.Layer.extend({
    initialize(owner) { this.owner = owner; },
    onAdd(map) {
      this.canvas = L.DomUtil.create('canvas', 'truce-incidents');
      this.canvas.setAttribute('aria-hidden', 'true');
      map.getPane('truce-points').appendChild(this.canvas);
      map.on('zoomstart', this.hide, this);
      map.on('moveend resize', this.owner.renderClusters, this.owner);
    },
    onRemove(map) {
      this.canvas.remove();
      map.off('zoomstart', this.hide, this);
      map.off('moveend resize', this.owner.renderClusters, this.owner);
    },
    hide() { this.canvas.style.visibility = 'hidden'; },
    draw() {
      const map = this._map, c = this.canvas;
      if (!map) return;
      const size = map.getSize(), dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = size.x + 'px'; c.style.height = size.y + 'px';
      const ctx = c.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      for (const m of this.owner.marks) {
        const p = map.latLngToContainerPoint([m.lat, m.lon]);
        if (p.x < -30 || p.y < -30 || p.x > size.x + 30 || p.y > size.y + 30) continue;
        ctx.beginPath();
        ctx.arc(p.x, p.y, m.r, 0, 2 * Math.PI);
        ctx.fillStyle = m.color;
        ctx.globalAlpha = m.count > 1 ? 0.85 : 0.95;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = m.count > 1 ? 1.5 : 0.8;
        ctx.strokeStyle = m.count > 1 ? '#fff' : '#1b2230';
        ctx.stroke();
        if (m.count > 1) {
          ctx.fillStyle = '#fff';
          ctx.fillText(m.count >= 10000 ? Math.round(m.count / 1000) + 'k' : String(m.count), p.x, p.y);
        }
      }
      c.style.visibility = '';
    },
  });
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

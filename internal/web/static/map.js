// The offline map: Leaflet with no tile layer, the basemap drawn on a
// canvas from /geo/basemap.json (countries and Ukraine's oblasts, built
// by the server from its embedded boundaries), agreement areas, and
// incidents clustered with supercluster so that 100,000 of them stay
// smooth: only the clusters in view are drawn, each a single canvas
// circle or a small label. The clustering runs in a worker
// (cluster-worker.js), off the page's main thread. The marks are reached
// by keyboard too (map-keyboard.js): the map is one Tab stop with a
// focused mark of its own, ringed on the canvas and named aloud.
import { el, statusColor, verdictColor, words, fmtUTC } from './app.js';
import { MapKeyboard } from './map-keyboard.js';
import { points } from './tally.js';
import { startWorker } from './worker-client.js';

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
  // describe(id), when given, returns (or resolves to) the incident of an
  // id for its popup; by default it is looked up in setIncidents' list.
  constructor(container, { label = 'Map', bounds = homeBounds, describe } = {}) {
    this.container = container;
    this.describe = describe || ((id) => (this.incidents || []).find((inc) => inc.id === id));
    this.loads = 0;
    this.draws = 0;
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
  // "verdict". It resolves once they are indexed and drawn.
  setIncidents(incidents, colorBy = 'status') {
    const keys = Object.keys(colorBy === 'verdict' ? verdictColor : statusColor);
    this.incidents = incidents;
    return this.setPoints(points(incidents, keys, colorBy), colorBy);
  }

  // setPoints replaces the incidents shown by their points as tally.js's
  // points() lays them out (the dashboard's worker sends them so), with
  // colour keys after colorBy. They are indexed in the cluster worker, so
  // the page stays responsive however many there are; a move only asks
  // it for the clusters in view and paints them on one canvas, so the cost
  // of a frame depends on what is visible, not on how many incidents
  // there are. It resolves once they are indexed and drawn; a later call
  // wins over an earlier one still indexing.
  async setPoints(pts, colorBy = 'status') {
    if (!this.map) return;
    const gen = ++this.loads;
    this.colorBy = colorBy;
    this.keys = Object.keys(colorBy === 'verdict' ? verdictColor : statusColor);
    if (!this.clusterWorker) this.clusterWorker = startWorker('/static/cluster-worker.js');
    this.container.dataset.indexing = 'true';
    const n = pts.lon.length;
    const { points: indexed } = await this.clusterWorker.call('load', { ...pts, nk: this.keys.length }, [pts.lon.buffer, pts.lat.buffer, pts.ids.buffer, pts.k.buffer]);
    if (gen !== this.loads || !this.map) return;
    if (indexed !== n) throw new Error(`the cluster worker indexed ${indexed} of ${n} points`);
    this.indexed = true;
    if (!this.canvasLayer) {
      this.canvasLayer = new (incidentCanvas())(this).addTo(this.map);
      this.map.on('click', (e) => this.onClick(e));
      this.keyboard = new MapKeyboard(this);
    }
    await this.renderClusters();
    if (gen !== this.loads) return;
    // Read by the tests: how many points the worker indexed.
    this.container.dataset.incidents = String(indexed);
    delete this.container.dataset.indexing;
  }

  colorOf(k) {
    const key = this.keys[k];
    return (this.colorBy === 'verdict' ? verdictColor : statusColor)[key] || '#666';
  }

  // renderClusters asks the worker for the marks in view (with a margin)
  // and paints them; this.drawn is the promise of the latest drawing.
  renderClusters() {
    if (!this.map || !this.indexed || !this.canvasLayer) return Promise.resolve();
    // A failure after the map was left (its worker stopped) is no news.
    this.drawn = this.drawClusters().catch((err) => { if (this.map) console.error('map: clusters in view:', err); });
    return this.drawn;
  }

  async drawClusters() {
    const seq = ++this.draws;
    const t0 = performance.now();
    const b = this.map.getBounds().pad(0.1);
    const zoom = Math.round(this.map.getZoom());
    const bbox = [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()), Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
    const { marks, counts } = await this.clusterWorker.call('clusters', { bbox, zoom });
    if (seq !== this.draws || !this.map) return; // a later move won
    const out = [];
    let total = 0;
    const nk = this.keys.length;
    for (let o = 0, j = 0; o < marks.length; o += 6, j++) {
      const [lon, lat, count, k, cluster, id] = marks.subarray(o, o + 6);
      total += count;
      // n: a cluster's incidents per colour key, for what it is said to hold.
      out.push(cluster >= 0
        ? { lat, lon, count, r: Math.min(24, 7 + Math.sqrt(count) * 0.9), color: this.colorOf(k), cluster, n: Array.from(counts.subarray(j * nk, j * nk + nk)) }
        : { lat, lon, count: 1, r: 4.5, color: this.colorOf(k), id, key: this.keys[k] });
    }
    this.marks = out;
    // Read by the tests: the marks drawn and the incidents they stand for.
    this.container.dataset.clusters = String(out.length);
    this.container.dataset.marked = String(total);
    if (this.keyboard) this.keyboard.drawn();
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
    // The keyboard carries on from the mark clicked.
    if (this.keyboard) this.keyboard.follow(hit);
    this.activate(hit);
  }

  // activate does what a click on a mark does: a cluster zooms in until
  // it falls apart, a point opens its incident's popup. From the keyboard
  // the focus goes into the popup, onto its link to the incident.
  activate(mark, { keyboard = false } = {}) {
    if (mark.cluster !== undefined) {
      return this.clusterWorker.call('expand', { cluster: mark.cluster })
        .then(({ zoom }) => {
          if (!this.map) return;
          // No flight for a reader who asked the system for less motion.
          if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches) this.map.setView([mark.lat, mark.lon], Math.min(zoom, 12), { animate: false });
          else this.map.flyTo([mark.lat, mark.lon], Math.min(zoom, 12), { duration: 0.4 });
        }, () => {});
    }
    return Promise.resolve(this.describe(mark.id)).then((inc) => {
      if (!this.map || !inc) return;
      const content = incidentPopup(inc);
      this.popup = window.L.popup().setLatLng([mark.lat, mark.lon]).setContent(content).openOn(this.map);
      if (keyboard) content.querySelector('a').focus();
    }, () => {});
  }

  popupOpen() { return !!(this.popup && this.popup.isOpen()); }

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

  destroy() {
    if (this.keyboard) this.keyboard.destroy();
    this.keyboard = null;
    if (this.map) this.map.remove();
    this.map = null;
    if (this.clusterWorker) this.clusterWorker.terminate();
    this.clusterWorker = null;
  }
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
      // The keyboard's focused mark: the UI's focus colour outside a dark
      // ring, visible on the land, the sea and any mark's colour.
      const f = this.owner.keyboard && this.owner.keyboard.ringAt();
      if (f) {
        const p = map.latLngToContainerPoint([f.lat, f.lon]);
        ctx.beginPath();
        ctx.arc(p.x, p.y, f.r + 3, 0, 2 * Math.PI);
        ctx.lineWidth = 2; ctx.strokeStyle = '#1b2230'; ctx.stroke();
        ctx.beginPath();
        ctx.arc(p.x, p.y, f.r + 6, 0, 2 * Math.PI);
        ctx.lineWidth = 4; ctx.strokeStyle = '#ffbf47'; ctx.stroke();
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
    el('a', { href: `/incidents/${inc.id}` }, `Open incident ${inc.id}`));
}

// legend returns the colour key for colorBy.
export function legend(colorBy) {
  const colors = colorBy === 'verdict' ? verdictColor : statusColor;
  return el('div', { class: 'legend', 'aria-label': `Colours by ${colorBy}` },
    Object.entries(colors).map(([k, c]) => el('span', {}, el('i', { style: `background:${c}` }), words(k === 'none' ? 'not judged' : k))));
}

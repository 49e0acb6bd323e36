// The map's cluster index, off the page's main thread: supercluster over
// the points of map.js's setPoints, answering which clusters and points
// a view shows. Indexing 100,000 points takes the best part of a second,
// which the page would otherwise spend unable to answer a click.
import './vendor/supercluster.min.js';
import { serve } from './worker-serve.js';

let index = null, ids = null, keys = 0;

serve({
  // load indexes the points {lon, lat, ids, k} (typed arrays) with nk
  // colour keys; each cluster counts its points per key.
  load({ lon, lat, ids: pointIds, k, nk }) {
    const feats = new Array(lon.length);
    for (let i = 0; i < lon.length; i++) {
      feats[i] = { type: 'Feature', geometry: { type: 'Point', coordinates: [lon[i], lat[i]] }, properties: { i, k: k[i] } };
    }
    index = new globalThis.Supercluster({
      radius: 40, maxZoom: 9, minPoints: 3,
      map: (p) => { const n = new Array(nk).fill(0); n[p.k] = 1; return { n }; },
      // A new array each time: supercluster starts a cluster's properties
      // from a shallow copy of its first child's, so adding in place
      // would count into the child's array as well.
      reduce: (acc, p) => { acc.n = acc.n.map((x, j) => x + p.n[j]); },
    }).load(feats);
    ids = pointIds;
    keys = nk;
    return { points: feats.length };
  },
  // clusters returns the marks in bbox [w, s, e, n] at zoom, six numbers
  // each: lon, lat, count, colour key (the most frequent in a cluster),
  // cluster id (-1 for a point) and incident id (-1 for a cluster);
  // counts has nk numbers per mark: its incidents per colour key.
  clusters({ bbox, zoom }) {
    const cs = index ? index.getClusters(bbox, zoom) : [];
    const marks = new Float64Array(cs.length * 6);
    const counts = new Uint32Array(cs.length * keys);
    cs.forEach((c, j) => {
      const o = j * 6, p = c.properties;
      if (p.cluster) counts.set(p.n, j * keys); else counts[j * keys + p.k] = 1;
      marks[o] = c.geometry.coordinates[0]; marks[o + 1] = c.geometry.coordinates[1];
      if (p.cluster) {
        let best = 0;
        for (let x = 1; x < p.n.length; x++) if (p.n[x] > p.n[best]) best = x;
        marks[o + 2] = p.point_count; marks[o + 3] = best; marks[o + 4] = p.cluster_id; marks[o + 5] = -1;
      } else {
        marks[o + 2] = 1; marks[o + 3] = p.k; marks[o + 4] = -1; marks[o + 5] = ids[p.i];
      }
    });
    return { marks, counts, transfer: [marks.buffer, counts.buffer] };
  },
  // expand says the zoom at which a cluster falls apart.
  expand({ cluster }) {
    return { zoom: index.getClusterExpansionZoom(cluster) };
  },
});

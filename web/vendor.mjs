// Copies the browser libraries the UI uses from node_modules into
// internal/web/static/vendor, where go:embed picks them up. Run by
// `make web` after `npm ci`; plain files, no bundler.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'internal', 'web', 'static', 'vendor');
const files = [
  ['leaflet/dist/leaflet.js', 'leaflet.js'],
  ['leaflet/dist/leaflet.css', 'leaflet.css'],
  ['leaflet/LICENSE', 'leaflet.LICENSE.txt'],
  ['supercluster/dist/supercluster.min.js', 'supercluster.min.js'],
  ['supercluster/LICENSE', 'supercluster.LICENSE.txt'],
  ['kdbush/LICENSE', 'kdbush.LICENSE.txt'],
  ['uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
  ['uplot/LICENSE', 'uPlot.LICENSE.txt'],
];
mkdirSync(out, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(here, 'node_modules', from), join(out, to));
}
console.log(`web: copied ${files.length} files to ${out}`);

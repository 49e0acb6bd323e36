// Place names for what the map announces, from the basemap's own
// boundaries (GET /geo/basemap.json: properties code, name and level), so
// that naming a place asks the server nothing: "Donetsk Oblast, Ukraine"
// for an admin-1 unit, the country's name elsewhere.

const boxes = new WeakMap();

// placeOf names the admin-1 unit of ISO 3166-2 code with its country
// ("Kharkiv Oblast, Ukraine"), or returns "" when the basemap lacks it.
export function placeOf(features, code) {
  if (!code) return '';
  const want = String(code).toUpperCase();
  const unit = features.find((f) => f.properties.level === 'admin1' && String(f.properties.code).toUpperCase() === want);
  if (!unit) return '';
  const cc = want.split('-')[0];
  const country = features.find((f) => f.properties.level !== 'admin1' && String(f.properties.code).toUpperCase() === cc);
  return country ? `${unit.properties.name}, ${country.properties.name}` : unit.properties.name;
}

// placeAt names where a point lies: its admin-1 unit and country where
// the basemap has units, else its country, else "".
export function placeAt(features, lat, lon) {
  const hit = (level) => features.find((f) => (level === 'admin1') === (f.properties.level === 'admin1') && contains(f, lon, lat));
  const unit = hit('admin1');
  if (unit) return placeOf(features, unit.properties.code) || unit.properties.name;
  const country = hit('country');
  return country ? country.properties.name : '';
}

// contains tests a GeoJSON Polygon or MultiPolygon feature by its bounding
// box, then by even-odd ray casting over every ring (holes included).
function contains(f, x, y) {
  const g = f.geometry;
  if (!g) return false;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let box = boxes.get(f);
  if (!box) {
    box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const poly of polys) for (const [px, py] of poly[0] || []) {
      box[0] = Math.min(box[0], px); box[1] = Math.min(box[1], py); box[2] = Math.max(box[2], px); box[3] = Math.max(box[3], py);
    }
    boxes.set(f, box);
  }
  if (x < box[0] || y < box[1] || x > box[2] || y > box[3]) return false;
  for (const poly of polys) {
    let inside = false;
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i], [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    if (inside) return true;
  }
  return false;
}

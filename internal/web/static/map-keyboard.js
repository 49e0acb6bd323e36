// The map's marks by keyboard. The incidents are painted on one canvas
// (map.js), so there is no element per mark to tab to; instead the map
// itself is the one Tab stop (role "application", so that a screen
// reader passes the keys through) and keeps a focused mark of its own,
// drawn as a ring on the canvas and named in a live region:
//
//   Arrow keys      move to the nearest mark in that direction (the first
//                   press picks the mark nearest the centre of the view)
//   N / P           the next / previous mark in reading order (north to
//                   south, then west to east): every mark in turn
//   Home / End      the first / last mark in reading order
//   Enter or Space  what a click does: a point opens its popup, with the
//                   focus on its "Open incident" link; a cluster zooms in
//                   and the focus goes to the mark nearest where it was
//   Escape          closes the popup (the focus comes back to its mark),
//                   or else leaves the marks (the ring goes)
//   Shift+arrows    pan, + and − zoom (Leaflet's own keys)
//   Tab             leaves the map, as from any other control
//
// Below the map, "Incidents in view as a list" (a details element) lists
// the same marks in reading order as buttons, for a screen reader's own
// list navigation; a button does what Enter on its mark does.
//
// What is said of a point: its incident number, kind (domains and
// targets), start date, place and status, never the title (free text of a
// report, which may name people) nor anyone's name.
import { el, fmtUTC, words } from './app.js';
import { placeAt, placeOf } from './map-place.js';

let helpIDs = 0; // ids for each map's description (a page may hold two maps)

export const keyHelp = 'Arrow keys move between the incidents on the map, N and P go to the next and previous from north to south, Home and End to the first and last, ' +
  'Enter opens one (or zooms into a cluster), Escape leaves them; Shift with the arrow keys pans, plus and minus zoom.';

// MapKeyboard gives a TruceMap (owner) keyboard access to its marks.
export class MapKeyboard {
  constructor(owner) {
    this.owner = owner;
    this.container = owner.container;
    this.focusKey = null; // "incident 12" or "cluster 34"
    this.pendingAt = null; // where a cluster was opened: focus its nearest mark once drawn
    this.says = 0;
    const c = this.container;
    c.setAttribute('role', 'application');
    c.setAttribute('aria-roledescription', 'map');
    this.help = el('p', { class: 'help map-keys' }, 'Keyboard: on the map, ',
      el('kbd', {}, '←'), el('kbd', {}, '↑'), el('kbd', {}, '→'), el('kbd', {}, '↓'), ' move between incidents, ',
      el('kbd', {}, 'N'), ' / ', el('kbd', {}, 'P'), ' next / previous, ',
      el('kbd', {}, 'Home'), ' / ', el('kbd', {}, 'End'), ' first / last, ',
      el('kbd', {}, 'Enter'), ' opens, ', el('kbd', {}, 'Esc'), ' leaves; ',
      el('kbd', {}, 'Shift'), '+arrows pan, ', el('kbd', {}, '+'), ' / ', el('kbd', {}, '−'), ' zoom.');
    this.help.setAttribute('aria-hidden', 'true'); // the description below says it in words
    this.description = el('span', { class: 'sr-only', id: `map-keys-${++helpIDs}` }, keyHelp);
    this.live = el('div', { class: 'sr-only map-live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.items = el('ol', { class: 'plain map-list-items' });
    this.list = el('details', { class: 'map-list' }, el('summary', {}, 'Incidents in view as a list'), this.items);
    this.list.addEventListener('toggle', () => this.renderList());
    c.after(this.help, this.list);
    c.append(this.description, this.live);
    c.setAttribute('aria-describedby', this.description.id);
    this.onKey = (e) => this.keydown(e);
    this.onFocus = (e) => { if (e.target === c) this.focused(); };
    this.onBlur = (e) => { if (!c.contains(e.relatedTarget)) this.redraw(); };
    c.addEventListener('keydown', this.onKey);
    c.addEventListener('focus', this.onFocus);
    c.addEventListener('focusout', this.onBlur);
  }

  destroy() {
    const c = this.container;
    c.removeEventListener('keydown', this.onKey);
    c.removeEventListener('focus', this.onFocus);
    c.removeEventListener('focusout', this.onBlur);
    this.help.remove();
    this.list.remove();
  }

  // drawn: the owner painted new marks.
  drawn() {
    this.marksChanged();
    this.renderList();
  }

  // follow makes a clicked point the focused mark, quietly: the arrow
  // keys then carry on from it. A clicked cluster zooms in around itself,
  // where the arrow keys start anyway.
  follow(m) {
    if (m.cluster !== undefined) { this.setFocus(null); return; }
    const v = this.inView().find((x) => keyOf(x.m) === keyOf(m));
    if (v) this.setFocus(v, { quiet: true });
  }

  // renderList fills the list of marks in view while it is open (at most
  // maxListed of them: beyond that, zooming in is the way).
  renderList() {
    if (!this.list.open) return;
    const view = this.inView();
    const maxListed = 200;
    const features = this.owner.features || [];
    const keys = this.owner.keys || [];
    this.items.replaceChildren(...view.slice(0, maxListed).map((v) => {
      const m = v.m;
      const place = placeAt(features, m.lat, m.lon);
      const label = m.cluster !== undefined
        ? `Cluster of ${m.count} incidents: ${(m.n || []).map((n, k) => [n, keys[k]]).filter(([n]) => n > 0).map(([n, key]) => `${n} ${words(key === 'none' ? 'not judged' : key)}`).join(', ')}${place ? ', around ' + place : ''}`
        : `Incident ${m.id}, ${words(m.key === 'none' ? 'not judged' : m.key)}${place ? ', ' + place : ''}`;
      return el('li', {}, el('button', { type: 'button', class: 'link', 'data-mark': keyOf(m), onclick: () => this.open(keyOf(m)) }, label));
    }));
    if (view.length > maxListed) this.items.append(el('li', { class: 'muted' }, `and ${view.length - maxListed} more: zoom in to list them.`));
    if (!view.length) this.items.append(el('li', { class: 'muted' }, 'No incidents in view.'));
  }

  // open focuses a mark on the map and does what Enter on it does.
  open(key) {
    const v = this.inView().find((x) => keyOf(x.m) === key);
    if (!v) return;
    this.container.focus({ preventScroll: false });
    this.setFocus(v);
    if (v.m.cluster !== undefined) this.pendingAt = { lat: v.m.lat, lon: v.m.lon };
    this.owner.activate(v.m, { keyboard: true });
  }

  // inView are the marks drawn inside the map's box (the drawing reaches
  // a little beyond it), each with its position in the box.
  inView() {
    const map = this.owner.map;
    if (!map || !this.owner.marks) return [];
    const size = map.getSize();
    const out = [];
    for (const m of this.owner.marks) {
      const p = map.latLngToContainerPoint([m.lat, m.lon]);
      if (p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y) out.push({ m, x: p.x, y: p.y });
    }
    // Reading order: north to south, then west to east.
    out.sort((a, b) => (b.m.lat - a.m.lat) || (a.m.lon - b.m.lon));
    return out;
  }

  // current is the focused mark if it is in view.
  current(view = this.inView()) {
    return this.focusKey ? view.find((v) => keyOf(v.m) === this.focusKey) || null : null;
  }

  // ringAt is what the canvas draws the focus ring around: the focused
  // mark while the map (or its popup) holds the focus.
  ringAt() {
    if (!this.focusKey || !this.container.contains(document.activeElement)) return null;
    return (this.owner.marks || []).find((m) => keyOf(m) === this.focusKey) || null;
  }

  redraw() { if (this.owner.canvasLayer && this.owner.marks) this.owner.canvasLayer.draw(); }

  keydown(e) {
    const c = this.container;
    if (e.key === 'Escape') {
      if (this.owner.popupOpen()) {
        e.preventDefault(); e.stopPropagation();
        this.owner.map.closePopup();
        c.focus(); // which says the mark again (focused)
        return;
      }
      if (e.target === c && this.focusKey) {
        e.preventDefault(); e.stopPropagation();
        this.setFocus(null);
        this.say('Left the incidents on the map. Arrow keys come back to them; Tab moves on.');
      }
      return;
    }
    if (e.target !== c || e.altKey || e.ctrlKey || e.metaKey) return;
    const dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    const view = this.inView();
    if (!view.length) return; // nothing to move between: Leaflet's keys pan and zoom
    let next = null;
    if (e.key in dirs && !e.shiftKey) {
      const cur = this.current(view);
      next = cur ? nearestToward(view, cur, dirs[e.key]) : nearestTo(view, this.owner.map.getSize().divideBy(2));
      if (cur && !next) {
        e.preventDefault(); e.stopPropagation();
        this.say(`No incident further ${{ ArrowRight: 'east', ArrowLeft: 'west', ArrowDown: 'south', ArrowUp: 'north' }[e.key]} in view.`);
        return;
      }
    } else if (e.key === 'n' || e.key === 'N' || e.key === 'p' || e.key === 'P') {
      const cur = this.current(view);
      const step = e.key.toLowerCase() === 'n' ? 1 : -1;
      const i = cur ? view.indexOf(cur) + step : step > 0 ? 0 : view.length - 1;
      if (i < 0 || i >= view.length) {
        e.preventDefault(); e.stopPropagation();
        this.say(step > 0 ? 'That was the last incident in view.' : 'That was the first incident in view.');
        return;
      }
      next = view[i];
    } else if (e.key === 'Home') {
      next = view[0];
    } else if (e.key === 'End') {
      next = view[view.length - 1];
    } else if ((e.key === 'Enter' || e.key === ' ') && !e.shiftKey) {
      const cur = this.current(view);
      if (!cur) return;
      e.preventDefault(); e.stopPropagation();
      if (cur.m.cluster !== undefined) this.pendingAt = { lat: cur.m.lat, lon: cur.m.lon };
      this.owner.activate(cur.m, { keyboard: true });
      return;
    } else {
      return;
    }
    e.preventDefault(); e.stopPropagation();
    this.setFocus(next);
  }

  // setFocus moves the focus ring to v (null: none) and announces it.
  setFocus(v, { quiet = false } = {}) {
    this.focusKey = v ? keyOf(v.m) : null;
    const d = this.container.dataset;
    if (v) {
      // Read by the tests: which mark holds the focus and where it is.
      d.focused = this.focusKey;
      d.focusX = String(Math.round(v.x)); d.focusY = String(Math.round(v.y));
      d.focusR = String(v.m.r);
      this.lastAt = { lat: v.m.lat, lon: v.m.lon };
      if (!quiet) this.announce(v);
    } else {
      delete d.focused; delete d.focusX; delete d.focusY; delete d.focusR;
    }
    this.redraw();
  }

  // focused: the map got the focus; say what it holds, or its mark.
  focused() {
    const view = this.inView();
    const v = this.current(view);
    if (v) { this.announce(v); this.redraw(); return; }
    if (!view.length) return;
    const marks = view.reduce((n, x) => n + x.m.count, 0);
    // The keys themselves are the map's description, read with its name.
    this.say(`${view.length} ${view.length === 1 ? 'mark' : 'marks'} in view for ${marks} ${marks === 1 ? 'incident' : 'incidents'}. Arrow keys move between them.`);
  }

  // marksChanged follows the focused mark through a new drawing: the same
  // mark, or after a cluster opened or the incidents changed, the one
  // nearest where the focus was.
  marksChanged() {
    if (!this.focusKey && !this.pendingAt) return;
    const view = this.inView();
    const at = this.pendingAt;
    this.pendingAt = null;
    const cur = at ? null : this.current(view);
    if (cur) {
      const d = this.container.dataset;
      d.focusX = String(Math.round(cur.x)); d.focusY = String(Math.round(cur.y)); d.focusR = String(cur.m.r);
      return;
    }
    const where = at || this.lastAt;
    this.setFocus(view.length && where ? nearestTo(view, this.owner.map.latLngToContainerPoint([where.lat, where.lon])) : null,
      { quiet: !this.container.contains(document.activeElement) });
  }

  // announce says what a mark is, in the live region.
  async announce(v) {
    const view = this.inView();
    const i = view.findIndex((x) => keyOf(x.m) === keyOf(v.m));
    // Incidents at one spot draw as one mark: say so, as the ring stays put.
    const here = view.filter((x) => Math.hypot(x.x - v.x, x.y - v.y) < 1).length;
    const pos = (here > 1 ? ` One of ${here} marks at this spot.` : '') + (i >= 0 ? ` ${i + 1} of ${view.length} in view.` : '');
    const seq = ++this.says;
    const text = await this.describe(v.m);
    if (seq !== this.says) return; // the focus moved on meanwhile
    this.say(text + pos);
  }

  async describe(m) {
    const features = this.owner.features || [];
    if (m.cluster !== undefined) {
      const keys = this.owner.keys || [];
      const parts = (m.n || []).map((n, k) => [n, keys[k]]).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0])
        .map(([n, key]) => `${n} ${words(key === 'none' ? 'not judged' : key)}`);
      const place = placeAt(features, m.lat, m.lon);
      return `Cluster of ${m.count} incidents${parts.length ? ': ' + parts.join(', ') : ''}${place ? ', around ' + place : ''}. Enter zooms in.`;
    }
    let inc = null;
    try { inc = await this.owner.describe(m.id); } catch { inc = null; }
    const place = (inc && placeOf(features, inc.admin1)) || placeAt(features, m.lat, m.lon);
    if (!inc) return `Incident ${m.id}${place ? ', ' + place : ''}.`;
    return `Incident ${inc.id}: ${kindOf(inc)}, ${fmtUTC(inc.from)}, ${place || 'place unknown'}, ${words(inc.status)}. Enter opens it.`;
  }

  say(text) {
    this.live.textContent = text;
    this.container.dataset.announced = text; // read by the tests
  }
}

// kindOf says what an incident is from its domains and targets: "air
// incident against energy targets".
export function kindOf(inc) {
  const domains = (inc.domains || []).map(words);
  const targets = (inc.targets || []).map(words);
  const kind = `${domains.length ? domains.join(' and ') : 'unknown-domain'} incident`;
  return targets.length ? `${kind} against ${targets.join(' and ')} targets` : kind;
}

export const keyOf = (m) => (m.cluster !== undefined ? `cluster ${m.cluster}` : `incident ${m.id}`);

function nearestTo(view, p) {
  let best = null, bd = Infinity;
  for (const v of view) {
    const d = Math.hypot(v.x - p.x, v.y - p.y);
    if (d < bd) { bd = d; best = v; }
  }
  return best;
}

// nearestToward finds the mark from cur in direction [dx, dy]: among the
// marks ahead of it (in the half-plane that way), the nearest, with a
// sideways step counted twice so that straight ahead wins over diagonal.
function nearestToward(view, cur, [dx, dy]) {
  let best = null, bd = Infinity;
  for (const v of view) {
    if (v === cur) continue;
    const ahead = (v.x - cur.x) * dx + (v.y - cur.y) * dy;
    const side = Math.abs((v.x - cur.x) * dy - (v.y - cur.y) * dx);
    // Marks drawn on the same spot: the later in reading order is "ahead"
    // east and south, the earlier west and north.
    const tie = ahead === 0 && side === 0 ? Math.sign(view.indexOf(v) - view.indexOf(cur)) * (dx + dy) : 0;
    if (ahead <= 0 && tie <= 0) continue;
    const d = ahead + 2 * side;
    if (d < bd) { bd = d; best = v; }
  }
  return best;
}

// The UI shell: router, navigation, session and the helpers every page
// uses. Pages live in pages/*.js (see the package comment in web.go).

import { APIError, apiURL, listPages, streamLines } from './http.js';
import { worstVerdict } from './tally.js';

// Re-exported: pages import every helper from here.
export { APIError, streamLines, worstVerdict };

const config = JSON.parse(document.getElementById('truce-config').textContent);

// app is what each page's render receives as its third argument.
export const app = {
  config,
  user: null, // {name, role, party} when signed in, null for the public
  csrf: '',
  pages: [],
  navigate,
  refreshSession,
  can(...roles) { return !!this.user && roles.includes(this.user.role); },
};

// ---------- API ----------

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return '';
}

// api calls /api/v1 + path and returns the decoded JSON. Writes carry the
// CSRF token the session gave us (login response or the readable cookie).
export async function api(path, { method = 'GET', body, signal, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const token = app.csrf || cookie('truce_csrf') || cookie('csrf_token');
    if (token) headers['X-CSRF-Token'] = token;
  }
  const res = await fetch(apiURL(path), {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (raw) return res;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new APIError(res.status, data);
  return data;
}

// listAll follows the API's cursor pagination and returns every item
// under key, calling onPage with each page's items as they arrive.
export const listAll = (path, key, opts) => listPages(api, path, key, opts);

// ---------- DOM and formatting helpers ----------

// el builds an element: el('a', {href: '/x', class: 'y'}, 'text', child...).
// Strings become text nodes, so record data is never parsed as HTML.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node, ...children) { node.replaceChildren(); node.append(...children.flat().filter(Boolean)); return node; }

// errorBox shows an API or network error where the data would have been.
export function errorBox(err, what) {
  const msg = err instanceof APIError
    ? `${err.message}${err.field ? ` (field ${err.field})` : ''}`
    : String(err && err.message || err);
  return el('p', { class: 'error', role: 'alert' }, what ? `Could not load ${what}: ` : '', msg);
}

const pad = (n) => String(n).padStart(2, '0');

// fmtUTC formats an instant as "2025-05-07 21:00 UTC".
export function fmtUTC(t) {
  if (!t) return '—';
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

// fmtIn formats an instant in an IANA zone: "2025-05-08 00:00 (UTC+03:00)".
export function fmtIn(t, tz) {
  if (!t) return '—';
  const d = t instanceof Date ? t : new Date(t);
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset',
    }).formatToParts(d).map((p) => [p.type, p.value]));
    const off = (parts.timeZoneName || '').replace('GMT', 'UTC') || 'UTC';
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${off === 'UTC' ? 'UTC+00:00' : off})`;
  } catch {
    return fmtUTC(d);
  }
}

// fmtLocal formats an instant in the browser's zone.
export function fmtLocal(t) {
  if (!t) return '—';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// fmtSpan says a duration in days, hours and minutes.
export function fmtSpan(ms) {
  ms = Math.abs(ms);
  const m = Math.floor(ms / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
  return d ? `${d} d ${h} h ${m % 60} min` : h ? `${h} h ${m % 60} min` : `${m % 60} min`;
}

export const fmtN = (n) => (n ?? 0).toLocaleString('en-GB');
export const words = (s) => String(s || '').replaceAll('_', ' ');

// Colours of incident statuses and verdicts, shared by the map, legends
// and badges. Picked for contrast on white and for colour-blind readers
// (blue/orange axis, red only for violations).
export const statusColor = { alleged: '#7a7f8c', corroborated: '#d08a00', verified: '#0b63c5', disputed: '#8e44ad', rejected: '#b0b4bd' };
export const verdictColor = { violation: '#c62828', uncertain: '#e0a100', outside: '#5f8f3f', none: '#9aa0ab' };

export function badge(kind, value) {
  return el('span', { class: `badge ${kind}-${value}` }, words(value));
}


// ---------- session ----------

async function refreshSession() {
  app.user = null;
  for (const path of ['/api/v1/auth/me', '/api/v1/me', '/api/v1/auth/session']) {
    try {
      const data = await api(path);
      const u = data && (data.user || data);
      if (u && u.role) { app.user = u; if (data.csrf_token) app.csrf = data.csrf_token; break; }
    } catch (err) {
      if (err instanceof APIError && err.status !== 404 && err.status !== 405) break; // 401: the public
    }
  }
  renderWho();
  renderNav();
}

function renderWho() {
  const who = document.getElementById('who');
  if (!app.user) {
    clear(who, el('span', { class: 'muted' }, 'Public view'), ' ', el('a', { href: '/login', class: 'button small' }, 'Sign in'));
    return;
  }
  const logout = el('button', { type: 'button', class: 'small', onclick: async () => {
    try { await api('/auth/logout', { method: 'POST' }); } catch { /* signed out either way */ }
    app.csrf = '';
    await refreshSession();
    navigate('/');
  } }, 'Sign out');
  clear(who, el('span', {}, el('strong', {}, app.user.name), ` · ${app.user.role}${app.user.party ? ' (' + app.user.party + ')' : ''}`), ' ', logout);
}

// ---------- navigation and routing ----------

function visible(page) {
  if (!page.nav) return false;
  if (!page.nav.roles) return true;
  return app.user && page.nav.roles.includes(app.user.role);
}

function renderNav() {
  const nav = document.getElementById('nav');
  const items = app.pages.filter(visible).sort((a, b) => (a.nav.order ?? 50) - (b.nav.order ?? 50));
  clear(nav, el('ul', {}, items.map((p) => el('li', {}, el('a', { href: p.navPath || p.path, 'data-nav': p.path }, p.nav.label)))));
  markCurrent();
}

function markCurrent() {
  for (const a of document.querySelectorAll('#nav a')) {
    const here = a.getAttribute('href') === location.pathname;
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function compile(path) {
  const names = [];
  const re = new RegExp('^' + path.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '/?$');
  return (p) => {
    const m = re.exec(p);
    if (!m) return null;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  };
}

let leave = null; // the current page's cleanup
let renderSeq = 0;

async function route() {
  const main = document.getElementById('main');
  if (typeof leave === 'function') { try { leave(); } catch (e) { console.error(e); } }
  leave = null;
  const seq = ++renderSeq;
  let page = null, params = null;
  for (const p of app.pages) { params = p.match(location.pathname); if (params) { page = p; break; } }
  markCurrent();
  if (!page) {
    document.title = 'Not found · Truce';
    clear(main, el('h1', {}, 'Page not found'), el('p', {}, 'No page at ', el('code', {}, location.pathname), '. ', el('a', { href: '/' }, 'Back to the dashboard'), '.'));
    return;
  }
  document.title = `${page.title} · Truce`;
  const box = el('div', { class: 'page', 'data-page': page.name });
  clear(main, box);
  try {
    const r = await page.render(box, params, app);
    if (seq !== renderSeq) { if (typeof r === 'function') r(); return; }
    leave = r;
  } catch (err) {
    console.error(err);
    if (seq === renderSeq) box.append(errorBox(err, 'this page'));
  }
}

// navigate moves to a path inside the UI without reloading.
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  route().then(() => document.getElementById('main').focus({ preventScroll: true }));
}

document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  // A link within the page (the skip link): move the focus there, with
  // no new history entry and no re-render of the page.
  if (url.origin === location.origin && url.pathname === location.pathname && url.search === location.search && url.hash) {
    const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (target) {
      e.preventDefault();
      if (!target.hasAttribute('tabindex') && !target.matches('a[href], button, input, select, textarea')) target.setAttribute('tabindex', '-1');
      target.focus();
      target.scrollIntoView({ block: 'start' });
    }
    return;
  }
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/static/') || a.target || a.hasAttribute('download')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', route);

async function boot() {
  const mods = await Promise.all(config.pages.map((f) => import(`/static/pages/${f}`).then(
    (m) => ({ file: f, mod: m.default }),
    (err) => { console.error(`page ${f}:`, err); return null; })));
  app.pages = mods.filter((m) => m && m.mod && m.mod.path && m.mod.render).map(({ file, mod }) => ({
    name: file.replace(/\.js$/, ''), ...mod, match: compile(mod.path),
  }));
  // Most specific first: "/agreements/new" before "/agreements/:id".
  app.pages.sort((a, b) => (a.path.includes(':') - b.path.includes(':')) || b.path.length - a.path.length);
  renderNav();
  await refreshSession();
  await route();
  document.body.dataset.ready = 'true';
}

boot();

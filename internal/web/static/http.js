// Reading the JSON API without the DOM, so that the page and its workers
// (dashboard-worker.js) share one way of fetching: errors as APIError,
// cursor pagination, and streamed NDJSON exports.

// APIError is a JSON error of the API: {code, message, field}.
export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

// apiURL puts /api/v1 in front of a path that does not name it.
export const apiURL = (path) => (path.startsWith('/') && !path.startsWith('/api/') ? '/api/v1' + path : path);

// getJSON GETs an API path with the session's cookie and returns the
// decoded JSON, throwing APIError for an error status.
export async function getJSON(path, { signal } = {}) {
  const res = await fetch(apiURL(path), { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new APIError(res.status, data);
  return data;
}

// listPages follows the API's cursor pagination with get (getJSON, or
// the page's api) and returns every item under key, calling onPage with
// each page's items as they arrive.
export async function listPages(get, path, key, { limit = 1000, max = 200000, onPage, signal } = {}) {
  const out = [];
  let cursor = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const data = await get(`${path}${sep}limit=${limit}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`, { signal });
    const items = (data && (data[key] || data.items || data.data)) || [];
    out.push(...items);
    if (onPage) onPage(items, out);
    cursor = data && (data.next_cursor || data.next || data.cursor || '');
    if (!cursor || !items.length || out.length >= max) return out;
  }
}

// streamLines reads a newline-delimited JSON response (the streamed
// exports) and returns every object, parsing as the bytes arrive so that
// a large record costs one request and no second copy of its text.
export async function streamLines(path, { signal } = {}) {
  const res = await fetch(apiURL(path), { credentials: 'same-origin', signal, headers: { Accept: 'application/x-ndjson' } });
  if (!res.ok) {
    let body = null; try { body = await res.json(); } catch { /* not JSON */ }
    throw new APIError(res.status, body);
  }
  const out = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const lines = (rest + value).split('\n');
    rest = lines.pop();
    for (const line of lines) if (line.trim()) out.push(JSON.parse(line));
  }
  if (rest.trim()) out.push(JSON.parse(rest));
  return out;
}

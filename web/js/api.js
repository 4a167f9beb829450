// The dashboard's only way to the daemon: the public JSON API with the
// API key kept in sessionStorage. Every failure becomes an ApiError.

const KEY_STORAGE = 'campaignd.apiKey';

export class ApiError extends Error {
  constructor(status, code, message, field, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.body = body || null;
  }
}

let unauthorizedHandler = null;

export function getKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function clearKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

// The prefix campaignd shows in GET /api/v1/keys: "cdk_<prefix>_<secret>".
export function keyPrefix(key = getKey()) {
  const parts = (key || '').split('_');
  return parts.length >= 3 ? parts[1] : '';
}

// Called once with the error when any request answers 401.
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

function errorFrom(res, body) {
  const e = (body && body.error) || {};
  const message = e.message || `The server answered HTTP ${res.status}`;
  return new ApiError(res.status, e.code || `http_${res.status}`, message,
    e.field, body);
}

// Sends one request. opts: {query, body, headers, signal, key, quiet401}.
export async function request(method, path, opts = {}) {
  const key = opts.key !== undefined ? opts.key : getKey();
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path + query(opts.query), {
      method,
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error',
      'Could not reach campaignd. Check that the daemon is running.');
  }
  const body = await readBody(res);
  if (res.ok) return body;
  const err = errorFrom(res, body);
  if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) {
    unauthorizedHandler(err);
  }
  throw err;
}

// Parses the file name out of a Content-Disposition header, or null.
export function dispositionName(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall back to the plain form */
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  if (!plain) return null;
  const name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1')
    : plain[2];
  // Only the last path segment: a file name, never a path.
  return name.split(/[\\/]/).pop() || null;
}

// Fetches a file with the API key (so it cannot be a plain link) and
// answers {blob, filename}. Failures are ApiErrors, as for request().
export async function download(path, opts = {}) {
  const key = getKey();
  const headers = { Accept: 'text/csv, application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  let res;
  let blob;
  try {
    res = await fetch(path + query(opts.query), { headers, cache: 'no-store',
      signal: opts.signal });
    if (res.ok) blob = await res.blob();
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', res
      ? 'The download was cut off before the end. Try again.'
      : 'Could not reach campaignd. Check that the daemon is running.');
  }
  if (res.ok) {
    return { blob,
      filename: dispositionName(res.headers.get('Content-Disposition')) };
  }
  const err = errorFrom(res, await readBody(res));
  if (res.status === 401 && unauthorizedHandler) unauthorizedHandler(err);
  throw err;
}

export const api = {
  get: (path, q, opts = {}) => request('GET', path, { ...opts, query: q }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  put: (path, body, opts = {}) => request('PUT', path, { ...opts, body }),
  del: (path, opts = {}) => request('DELETE', path, opts),
};

export const BULK = '/api/v1/calls/bulk_call';

// Pages through a list route whose replies carry `key` until it runs dry.
export async function listAll(path, key, signal) {
  const out = [];
  for (let page = 1; page <= 50; page++) {
    const r = await api.get(path, { pageno: page, pagesize: 100 },
      { signal });
    const items = r[key] || [];
    out.push(...items);
    if (items.length < 100) break;
  }
  return out;
}

// The request target (URL) of an API request, checked before anything routes
// on it. Only origin-form (`/path?query`) is served: a path starting with `//`
// or holding a backslash would be read as another host by URL parsers, an
// absolute-form target (`http://host/path`) is for proxies, and a bad
// percent-escape cannot be decoded. Each gets a 4xx here instead of a throw
// (or a surprising route) further in.

import { HttpError } from './http-error';

/**
 * Longer targets are refused with 414. The longest real one is a `filters=`
 * query of a few names or IDs; 8 KiB is what most servers and proxies allow.
 */
export const MAX_TARGET_BYTES = 8 * 1024;

export interface RequestTarget {
  /** Raw path (still percent-encoded), starting with a single `/`. */
  path: string;
  /** Raw query without the `?`. */
  search: string;
  query: URLSearchParams;
}

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

function decodable(s: string): boolean {
  if (BAD_ESCAPE.test(s)) return false;
  try {
    decodeURIComponent(s.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** The checked target, or an HttpError (400/414) saying what is wrong with it. */
export function parseRequestTarget(url: string | undefined): RequestTarget | HttpError {
  const raw = url ?? '';
  if (raw.length > MAX_TARGET_BYTES)
    return new HttpError(414, `request URL of ${raw.length} bytes exceeds the ${MAX_TARGET_BYTES}-byte limit`);
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  if (!raw.startsWith('/')) return new HttpError(400, `malformed request URL ${shown}: must be a path starting with /`);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const search = q < 0 ? '' : raw.slice(q + 1);
  if (path.startsWith('//')) return new HttpError(400, `malformed request URL ${shown}: path starts with //`);
  if (path.includes('\\')) return new HttpError(400, `malformed request URL ${shown}: backslash in path`);
  if (!decodable(path)) return new HttpError(400, `malformed request URL ${shown}: invalid URL escape in path`);
  if (!decodable(search)) return new HttpError(400, `malformed request URL ${shown}: invalid URL escape in query`);
  return { path, search, query: new URLSearchParams(search) };
}

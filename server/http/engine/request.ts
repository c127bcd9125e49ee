import type { IncomingMessage } from 'node:http';
import { SwarmError } from '../../api/errors';
import type { Filters } from '../../manager/controlapi/types';
import { API_JSON_BOUNDS, parseBoundedJSON } from '../../net/bounded-json';
import { readJSONBody } from '../json-body';
import { bodyContentTypeProblem } from './front-door';

const badRequest = (message: string): SwarmError => new SwarmError('InvalidArgument', message);

/** moby httputils.BoolValue: anything but "", 0, no, false, none is true. */
export function queryBool(query: URLSearchParams, key: string): boolean {
  const v = (query.get(key) ?? '').trim().toLowerCase();
  return !['', '0', 'no', 'false', 'none'].includes(v);
}

/**
 * `filters=` as the CLI sends it: `{"name":{"web":true}}`, or the older
 * `{"name":["web"]}`. Decoded to the values per key.
 */
export function parseFilters(query: URLSearchParams): Filters {
  const raw = query.get('filters');
  if (!raw) return {};
  let decoded: unknown;
  try {
    decoded = parseBoundedJSON(Buffer.from(raw), API_JSON_BOUNDS);
  } catch (err) {
    throw badRequest(`invalid filter: ${(err as Error).message.replace(/^invalid JSON: /, '')}`);
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded))
    throw badRequest('invalid filter: filters must be a JSON object');
  const out: Filters = {};
  for (const [key, v] of Object.entries(decoded as Record<string, unknown>)) {
    if (Array.isArray(v)) out[key] = v.map(String);
    else if (typeof v === 'object' && v !== null) out[key] = Object.keys(v);
    else throw badRequest(`invalid filter: value for '${key}' must be a map or a list`);
  }
  return out;
}

/** `version=` on update endpoints (the object's Version.Index from the GET before). */
export function queryVersion(query: URLSearchParams, kind: string): number {
  const raw = query.get('version') ?? '';
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw badRequest(`invalid ${kind} version '${raw}': strconv.ParseUint: parsing "${raw}": invalid syntax`);
  return Number(raw);
}

/**
 * A JSON request body. An empty body is not an error (moby returns the zero
 * value); malformed JSON or another Content-Type is a 400, a body over
 * API_JSON_BOUNDS a 413 (too large) or 400 (nested too deep).
 */
export async function readJSON(req: IncomingMessage): Promise<unknown> {
  const problem = bodyContentTypeProblem(req.headers);
  if (problem) throw badRequest(problem);
  return readJSONBody(req, API_JSON_BOUNDS);
}

import type { IncomingMessage } from 'node:http';
import { SwarmError } from '../../api/errors';
import type { Filters } from '../../manager/controlapi/types';

const MAX_BODY = 32 * 1024 * 1024;

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
    decoded = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`invalid filter: ${(err as Error).message}`);
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
 * value); malformed JSON or another Content-Type is a 400.
 */
export async function readJSON(req: IncomingMessage): Promise<unknown> {
  const ct = req.headers['content-type'];
  if (ct && !/^application\/json\b/i.test(ct.split(';')[0]!.trim()))
    throw badRequest(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`invalid JSON: ${(err as Error).message}`);
  }
}

// The Engine API's query parameters, per route, as dockerd's router reads
// them (moby api/server/router/swarm): the first value of each name counts,
// unknown names are ignored, and a bad value is a 400 in moby's words.

import { z } from 'zod';
import { parseOrThrow, rules } from './issues';

/** A query string as the schemas take it: each name's first value. */
export type QueryParams = Record<string, string>;

export function queryParams(search: URLSearchParams): QueryParams {
  const out: QueryParams = {};
  for (const [k, v] of search) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

const text = () => z.string().optional();

/** httputils.BoolValue: anything but "", 0, no, false, none is true. */
export const lenientBool = () =>
  text().transform((v) => !['', '0', 'no', 'false', 'none'].includes((v ?? '').trim().toLowerCase()));

const GO_BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

/** strconv.ParseBool, where moby uses it: an unset value is false, any other word a 400. */
const strictBool = (name: string, wrapped: boolean) =>
  text().transform(
    rules((v, no) => {
      if (v === undefined || v === '') return false;
      const b = GO_BOOLS[v];
      if (b === undefined)
        no(
          `invalid value for ${name}: ${v}${wrapped ? `: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax` : ''}`,
        );
      return b!;
    }),
  );

/** `version=`: the object's Version.Index from the preceding GET (strconv.ParseUint). */
const version = (kind: 'service' | 'node' | 'swarm') =>
  text().transform(
    rules((v, no) => {
      const raw = v ?? '';
      const bad = (why: string) => no(`invalid ${kind} version '${raw}': strconv.ParseUint: parsing "${raw}": ${why}`);
      if (!/^\d+$/.test(raw)) bad('invalid syntax');
      const n = Number(raw);
      // Go takes any uint64; an index beyond 2^53 cannot exist here, so it can only be stale
      if (!Number.isSafeInteger(n)) bad('value out of range');
      return n;
    }),
  );

const filterValue = z.union([z.array(z.string()), z.record(z.string(), z.boolean())]);

/**
 * `filters=` (moby filters.FromJSON): `{"name":{"web":true}}`, or the older
 * `{"name":["web"]}`; decoded to the values per key.
 */
const filters = text().transform(
  rules((raw, no): Record<string, string[]> => {
    if (!raw) return {};
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch (err) {
      no(`invalid filter: ${(err as Error).message}`);
    }
    if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded))
      no('invalid filter: filters must be a JSON object');
    const out: Record<string, string[]> = {};
    for (const [key, v] of Object.entries(decoded as Record<string, unknown>)) {
      const parsed = filterValue.safeParse(v);
      if (!parsed.success) return no(`invalid filter: '${key}' must map values to true, or list them as strings`);
      out[key] = Array.isArray(parsed.data) ? parsed.data : Object.keys(parsed.data);
    }
    return out;
  }),
);

export const listQuery = z.object({ filters });

/** GET /services: `status` counts only from API 1.41, so an older client's value is not read. */
export const serviceListQuery = z.object({ filters, status: strictBool('status', true) });

export const serviceInspectQuery = z.object({ insertDefaults: strictBool('insertDefaults', true) });

/** POST /services/{id}/update: the version, read before the service is looked up. */
export const serviceUpdateQuery = z.object({ version: version('service') });

/**
 * POST /services/{id}/update, once the service exists. moby refuses these two
 * values with plain errors (a 500 there); the CLI only sends
 * `registryAuthFrom=spec` and `rollback=previous`, so a refusal is a 400 here.
 */
export const serviceUpdateFlagsQuery = z.object({
  registryAuthFrom: text().transform(
    rules((v, no) => {
      const value = v ?? '';
      if (value !== '' && value !== 'spec' && value !== 'previous-spec') no('unsupported registryAuthFrom value');
      return value === 'previous-spec' ? ('previous-spec' as const) : ('spec' as const);
    }),
  ),
  rollback: text().transform(
    rules((v, no) => {
      const value = v ?? '';
      if (value === '' || value === 'none') return false;
      if (value !== 'previous') no(`unrecognized rollback option ${value}`);
      return true;
    }),
  ),
});

/** GET /networks/{id}: `verbose` as strconv.ParseBool (moby wraps its error), `scope` as given. */
export const networkInspectQuery = z.object({ verbose: strictBool('verbose', true), scope: text() });

export const nodeUpdateQuery = z.object({ version: version('node') });

/** POST /secrets/{id}/update and /configs/{id}/update: moby's plain `invalid secret version`. */
export const payloadUpdateQuery = (kind: 'secret' | 'config') =>
  z.object({
    version: text().transform(
      rules((v, no) => {
        const raw = v ?? '';
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) no(`invalid ${kind} version`);
        return n;
      }),
    ),
  });

export const forceQuery = z.object({ force: lenientBool() });

export const swarmUpdateQuery = z.object({
  version: version('swarm'),
  rotateWorkerToken: strictBool('rotateWorkerToken', false),
  rotateManagerToken: strictBool('rotateManagerToken', false),
  rotateManagerUnlockKey: strictBool('rotateManagerUnlockKey', false),
});

/**
 * GET /services/{id}/logs and /tasks/{id}/logs: checked before the stream
 * starts (after the 200 no error can be reported). `tail` is moby's rule
 * (an integer ≥ 0 or "all"); `since` is Unix seconds with an optional
 * fraction, or an RFC 3339 time, in ms.
 */
export const logsQuery = z.object({
  stdout: lenientBool(),
  stderr: lenientBool(),
  follow: lenientBool(),
  timestamps: lenientBool(),
  details: lenientBool(),
  tail: text().transform(
    rules((v, no) => {
      if (v === undefined || v === '' || v === 'all') return undefined;
      if (!/^[-+]?\d+$/.test(v)) no('tail value must be a positive integer or "all"');
      const n = Number(v);
      if (n < 0) no('negative tail values not supported');
      return n;
    }),
  ),
  since: text().transform(
    rules((v, no) => {
      const s = (v ?? '').trim();
      if (s === '') return undefined;
      if (/^-?\d+(\.\d{1,9})?$/.test(s)) {
        const [sec, frac = ''] = s.split('.');
        return Number(sec) * 1000 + Number(frac.padEnd(9, '0').slice(0, 3));
      }
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) no(`invalid value for "since": ${v}`);
      return ms;
    }),
  ),
});

/**
 * `since`/`until` of GET /events (moby's timestamp.ParseUnixTimestamp): Unix
 * seconds with an optional fraction (9 digits; fewer are padded, more cut),
 * in nanoseconds, exact. The CLI turns `--since 1m` and dates into this form
 * itself. Empty: unset.
 */
const unixNanos = (name: 'since' | 'until') =>
  text().transform(
    rules((v, no): bigint | undefined => {
      const raw = v ?? '';
      if (raw === '') return undefined;
      const dot = raw.indexOf('.');
      const sec = dot < 0 ? raw : raw.slice(0, dot);
      const frac = dot < 0 ? '' : raw.slice(dot + 1);
      const bad = (why: string) => no(`invalid value for '${name}': invalid timestamp ${JSON.stringify(raw)}: ${why}`);
      if (!/^[-+]?\d+$/.test(sec)) bad(`invalid seconds ${JSON.stringify(sec)}: invalid syntax`);
      if (frac.length > 20) bad(`invalid nanoseconds: length ${frac.length} exceeds maximum 20`);
      const junk = frac.search(/[^0-9]/);
      if (junk >= 0) bad(`invalid nanoseconds: invalid character '${frac[junk]}' at position ${junk}`);
      return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9) || '0');
    }),
  );

/** GET /events. */
export const eventsQuery = z.object({ filters, since: unixNanos('since'), until: unixNanos('until') });

/** A route's query, parsed; throws the 400 moby would give. */
export function parseQuery<T extends z.ZodType>(schema: T, search: URLSearchParams): z.output<T> {
  return parseOrThrow(schema, queryParams(search), 'query');
}

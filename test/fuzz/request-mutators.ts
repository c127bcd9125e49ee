// Mutations of everything around the body: the URL (double and back
// slashes, bad percent-escapes, dot segments, very long paths, odd API
// versions), the method, the headers (content types, encodings, origins,
// hosts), the query parameters (filters, version, flags) and the bytes of
// the request itself (malformed request lines and framing, sent raw).

import { Bulk, render, type Json } from './json-tree';
import { ODD_NUMBERS, ODD_STRINGS } from './mutators';
import type { Rng } from './rng';
import type { QueryParam } from './routes';

export interface Target {
  /** Path without query, e.g. /v1.50/services/fz-3/update */
  path: string;
  /** Ordered query parameters (raw text, already encoded where needed). */
  query: [string, string][];
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) becomes the bytes of its WTF-8 form:
 * an invalid UTF-8 sequence in the URL, which is what a server should get to see.
 */
export function percentEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    let out = '';
    for (const ch of s) {
      const u = ch.codePointAt(0)!;
      if (u >= 0xd800 && u <= 0xdfff)
        out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      else out += encodeURIComponent(ch);
    }
    return out;
  }
}

export function targetText(t: Target): string {
  return t.query.length === 0
    ? t.path
    : `${t.path}?${t.query.map(([k, v]) => (v === '' ? `${k}=` : `${k}=${v}`)).join('&')}`;
}

/** Whether this target can only go over a raw socket (node's client refuses such paths). */
export function needsRaw(target: string): boolean {
  return /[^\u0021-\u00ff]/.test(target);
}

const VERSION_PREFIXES = [
  '/v0.1',
  '/v1.99',
  '/v1.51',
  '/v1.23',
  '/v1.2',
  '/v1.50.1',
  '/v01.050',
  '/v99999999999999999999.1',
  '/v1.99999999999999999999',
  '/V1.50',
  '/v1.',
  '/v.50',
  '/vx.y',
  '/v-1.50',
  '/v1.50/v1.50',
];

/** A URL mutation of `t` (its path and query); returns the new request target and a label. */
export function mutateUrl(rng: Rng, t: Target, versioned: boolean): { target: string; label: string } {
  const q = t.query.length ? targetText({ path: '', query: t.query }) : '';
  const bare = t.path.replace(/^\/v\d+\.\d+(?=\/)/, '');
  const segments = t.path.split('/');
  const kinds: [string, () => string][] = [
    ['double-slash', () => '//'],
    ['double-slash-prefix', () => '/' + t.path + q],
    ['double-slash-host', () => '//' + rng.pick(['x', 'evil.example', '127.0.0.1:1', '[::1]', '@']) + t.path + q],
    ['double-slash-inner', () => t.path.replace(/\/(?=[^/]*$)/, '//') + q],
    ['backslash', () => '/\\' + q],
    ['backslash-inner', () => t.path.replace(/\//g, (m, i: number) => (i > 0 && rng.chance(0.5) ? '\\' : m)) + q],
    ['backslash-prefix', () => '/\\' + t.path.slice(1) + q],
    [
      'bad-percent',
      () => {
        const i = rng.int(1, Math.max(1, segments.length - 1));
        const s = segments.slice();
        s[i] = (s[i] ?? '') + rng.pick(['%', '%z', '%zz', '%E0%A4%A', '%C0%AF', '%ff', '%00', '%%', '%u0041', '%2']);
        return s.join('/') + q;
      },
    ],
    [
      'encoded-slash',
      () => t.path.replace(/[^/]+$/, (m) => rng.pick([`${m}%2Fx`, '..%2F..%2F_ping', '%2e%2e', '%2F'])) + q,
    ],
    ['dot-segments', () => rng.pick(['/./', '/../', '/a/../']) + t.path.slice(1) + q],
    ['dot-segment-tail', () => t.path + rng.pick(['/.', '/..', '/../..', '/./']) + q],
    ['long-path', () => t.path + '/' + 'a'.repeat(rng.pick([2_000, 8_000, 70_000])) + q],
    ['long-segment-ref', () => t.path.replace(/[^/]+$/, (m) => m + 'x'.repeat(rng.pick([300, 4_096]))) + q],
    ['unicode-raw', () => t.path + rng.pick(['/ünï', '/日本', '/\u00ff', '/😀']) + q],
    ['space', () => t.path + rng.pick(['/a b', ' ', '/%20']) + q],
    ['trailing', () => t.path + rng.pick(['/', '?', '#frag', ';x', '.json', '%20', '%00']) + q],
    ['upper-case', () => t.path.toUpperCase() + q],
    ['absolute-form', () => rng.pick(['http://127.0.0.1', 'http://evil.example', 'https://x:1']) + t.path + q],
    ['asterisk', () => '*'],
    ['empty', () => rng.pick(['', '?', '#'])],
    ['no-leading-slash', () => t.path.slice(1) + q],
    [
      'query-garbage',
      () => t.path + rng.pick(['?%', '?a=%zz', '?&&&', '?=', '?==&=', '?filters', '?a[]=1&a[x]=2', '?%00=%00']),
    ],
  ];
  if (versioned) kinds.push(['api-version', () => rng.pick(VERSION_PREFIXES) + bare + q]);
  const [kind, make] = rng.pick(kinds);
  return { target: make(), label: kind };
}

export const ODD_METHODS = [
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PUT',
  'DELETE',
  'POST',
  'GET',
  'HEAD',
  'PROPFIND',
  'M-SEARCH',
  'LINK',
  'PURGE',
];
/** Methods node's client refuses or treats specially: sent over a raw socket. */
export const RAW_METHODS = ['get', 'CONNECT', 'G@T', 'GET\tX', 'X'.repeat(2_000), 'PRI'];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/json-patch+json',
  'APPLICATION/JSON',
  'application/json;',
  'application/json, text/plain',
  '',
  ';',
  '*/*',
  'json',
  'application/' + 'x'.repeat(8_000),
];

/**
 * A header mutation: content types (none, wrong, odd), encodings the body
 * does not have, foreign origins and hosts, very many or very large headers.
 */
export function mutateHeaders(
  rng: Rng,
  headers: [string, string][],
  hostPort: string,
): { headers: [string, string][]; label: string } {
  const without = (name: string) => headers.filter(([k]) => k.toLowerCase() !== name);
  const kinds: [string, () => [string, string][]][] = [
    ['no-content-type', () => without('content-type')],
    ['content-type', () => [...without('content-type'), ['Content-Type', rng.pick(CONTENT_TYPES)]]],
    ['content-type-twice', () => [...headers, ['Content-Type', rng.pick(CONTENT_TYPES)]]],
    ['content-encoding', () => [...headers, ['Content-Encoding', rng.pick(['gzip', 'br', 'deflate', 'x-bogus'])]]],
    ['expect', () => [...headers, ['Expect', rng.pick(['100-continue', 'x-bogus'])]]],
    [
      'origin',
      () => [
        ...headers,
        ['Origin', rng.pick(['http://evil.example', 'null', 'http://127.0.0.1.evil.example', 'garbage'])],
      ],
    ],
    ['sec-fetch-site', () => [...headers, ['Sec-Fetch-Site', rng.pick(['cross-site', 'same-site', 'none', 'bogus'])]]],
    [
      'host',
      () => [
        ...without('host'),
        [
          'Host',
          rng.pick(['evil.example', '', 'localhost', '[::1]', `${hostPort}:1`, 'a'.repeat(300), '127.0.0.1.nip.io']),
        ],
      ],
    ],
    [
      'registry-auth',
      () => [
        ...headers,
        [
          'X-Registry-Auth',
          rng.pick(['', 'e30=', 'not base64!', Buffer.from('{"username":1}').toString('base64'), 'A'.repeat(10_000)]),
        ],
      ],
    ],
    [
      'many-headers',
      () => [
        ...headers,
        ...Array.from({ length: rng.pick([100, 500]) }, (_, i): [string, string] => [`X-Fuzz-${i}`, 'v']),
      ],
    ],
    ['huge-header', () => [...headers, ['X-Fuzz', 'v'.repeat(rng.pick([8_000, 20_000]))]]],
    ['accept', () => [...headers, ['Accept', rng.pick(['text/html', 'application/xml', '*/*;q=bogus', ''])]]],
    ['connection', () => [...headers, ['Connection', rng.pick(['close', 'upgrade', 'keep-alive, Upgrade', 'x'])]]],
    ['cookie', () => [...headers, ['Cookie', rng.pick(['a=b', '=', 'x'.repeat(4_000)])]]],
  ];
  const [label, make] = rng.pick(kinds);
  return { headers: make(), label };
}

const ODD_QUERY_VALUES = [
  '',
  'abc',
  '-1',
  '1.5',
  '99999999999999999999',
  '0x10',
  '%201',
  '1%00',
  'true',
  'TRUE',
  'null',
  '%zz',
  '%',
  encodeURIComponent('日本'),
  'x'.repeat(5_000),
];

const ODD_FILTERS: Json[] = [
  '{',
  '[]',
  '"name"',
  '1',
  'null',
  '{"name":"x"}',
  '{"name":{"x":"notbool"}}',
  '{"name":[1,null,{}]}',
  '{"name":{"x":false}}',
  '{"foo":["x"]}',
  '{"__proto__":{"x":true}}',
  '{"constructor":{"x":true}}',
  '{"label":["=","a=b=c","",null]}',
  '{"desired-state":["bogus"]}',
  '{"mode":["bogus"]}',
  '{"role":["king"]}',
  '{"membership":["x"]}',
  '{"id":[""]}',
  '{"service":["nosuch"]}',
  '{"node":["' + 'n'.repeat(3_000) + '"]}',
];

function oddFilter(rng: Rng): string {
  if (rng.chance(0.15)) return render(new Bulk({ kind: 'deep-array', depth: rng.pick([1_000, 5_000]) }));
  if (rng.chance(0.1))
    return JSON.stringify({ name: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`n${i}`, true])) });
  return rng.pick(ODD_FILTERS) as string;
}

/**
 * A query mutation: a required parameter dropped, an odd value, a repeated
 * parameter, odd filters, unknown parameters.
 */
export function mutateQuery(
  rng: Rng,
  query: [string, string][],
  params: readonly QueryParam[],
): { query: [string, string][]; label: string } {
  const names = params.map((p) => p.name);
  const kinds: [string, () => [string, string][]][] = [
    [
      'unknown-param',
      () => [...query, [rng.pick(['x', '__proto__', 'filter', 'all', 'limit', 'n']), rng.pick(ODD_QUERY_VALUES)]],
    ],
    ['empty-query', () => []],
  ];
  if (names.length) {
    kinds.push(
      [
        'odd-value',
        () => {
          const name = rng.pick(names);
          return [...query.filter(([k]) => k !== name), [name, rng.pick(ODD_QUERY_VALUES)]];
        },
      ],
      [
        'repeated',
        () => {
          const name = rng.pick(names);
          return [
            ...query,
            [name, rng.pick(ODD_QUERY_VALUES)],
            [name, rng.pick(params.find((p) => p.name === name)!.valid) ?? ''],
          ];
        },
      ],
      [
        'no-value',
        () => {
          const name = rng.pick(names);
          return [...query.filter(([k]) => k !== name), [name, '']];
        },
      ],
    );
  }
  if (names.includes('filters'))
    kinds.push([
      'filters',
      () => [...query.filter(([k]) => k !== 'filters'), ['filters', percentEncode(oddFilter(rng))]],
    ]);
  if (names.includes('version'))
    kinds.push(
      ['version', () => [...query.filter(([k]) => k !== 'version'), ['version', rng.pick(ODD_QUERY_VALUES)]]],
      ['no-version', () => query.filter(([k]) => k !== 'version')],
      [
        'stale-version',
        () => [...query.filter(([k]) => k !== 'version'), ['version', String(rng.pick([0, 1, 2, 3, 10, 1e6]))]],
      ],
    );
  if (names.includes('tail') || names.includes('since'))
    kinds.push([
      'log-params',
      () => [
        ...query,
        [
          rng.pick(['tail', 'since', 'until']),
          String(
            rng.pick([
              ...ODD_NUMBERS.filter((n) => typeof n !== 'object'),
              ...ODD_STRINGS.filter((s) => typeof s === 'string' && s.length < 100),
            ] as (string | number)[]),
          ),
        ].map(percentEncode) as [string, string],
      ],
    ]);
  const [label, make] = rng.pick(kinds);
  return { query: make(), label };
}

/**
 * A malformed request sent byte for byte: request lines, header syntax and
 * body framing node's own parser has to refuse or survive. Every one is
 * complete, so the server has all it needs to answer (or to close).
 */
export function rawRequest(
  rng: Rng,
  method: string,
  target: string,
  hostPort: string,
): { head: string; body?: string; label: string } {
  const host = `Host: ${hostPort}`;
  const kinds: [string, () => { head: string; body?: string }][] = [
    ['raw-method', () => ({ head: `${rng.pick(RAW_METHODS)} ${target} HTTP/1.1\r\n${host}\r\nConnection: close` })],
    ['http-0.9', () => ({ head: `GET ${target}` })],
    ['http-1.0', () => ({ head: `${method} ${target} HTTP/1.0` })],
    ['http-2-line', () => ({ head: `${method} ${target} HTTP/2.0\r\n${host}` })],
    ['http-bogus-version', () => ({ head: `${method} ${target} HTTP/9.9\r\n${host}` })],
    ['no-host', () => ({ head: `${method} ${target} HTTP/1.1\r\nConnection: close` })],
    [
      'two-hosts',
      () => ({ head: `${method} ${target} HTTP/1.1\r\n${host}\r\nHost: evil.example\r\nConnection: close` }),
    ],
    ['header-no-colon', () => ({ head: `${method} ${target} HTTP/1.1\r\n${host}\r\nX-Broken\r\nConnection: close` })],
    [
      'header-space-before-colon',
      () => ({
        head: `${method} ${target} HTTP/1.1\r\n${host}\r\nContent-Type : application/json\r\nConnection: close`,
      }),
    ],
    [
      'obs-fold',
      () => ({ head: `${method} ${target} HTTP/1.1\r\n${host}\r\nX-A: 1\r\n  folded\r\nConnection: close` }),
    ],
    [
      'nul-in-header',
      () => ({ head: `${method} ${target} HTTP/1.1\r\n${host}\r\nX-A: a\u0000b\r\nConnection: close` }),
    ],
    ['bare-lf', () => ({ head: `${method} ${target} HTTP/1.1\n${host}\nConnection: close`.replace(/\r/g, '') })],
    [
      'raw-target',
      () => ({
        head: `${method} ${target}${rng.pick([' x', '\u0000', '\u00ff', '😀', '\t'])} HTTP/1.1\r\n${host}\r\nConnection: close`,
      }),
    ],
    [
      'cl-and-te',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close`,
        body: '2\r\n{}\r\n0\r\n\r\n',
      }),
    ],
    [
      'two-content-lengths',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close`,
        body: '{} ',
      }),
    ],
    [
      'bad-content-length',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: ${rng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999999'])}\r\nConnection: close`,
        body: '{}',
      }),
    ],
    [
      'short-content-length',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 1\r\nConnection: close`,
        body: '{"Name":"x"}',
      }),
    ],
    [
      'bad-chunk-size',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close`,
        body: `${rng.pick(['zz', '-1', 'ffffffffffffffffff', '2;ext=' + 'x'.repeat(5_000)])}\r\n{}\r\n0\r\n\r\n`,
      }),
    ],
    [
      'te-bogus',
      () => ({
        head: `POST ${target} HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked, identity\r\nConnection: close`,
        body: '2\r\n{}\r\n0\r\n\r\n',
      }),
    ],
    [
      'pipelined-garbage',
      () => ({
        head: `GET /_ping HTTP/1.1\r\n${host}`,
        body: `GARBAGE ${target} HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`,
      }),
    ],
  ];
  const [label, make] = rng.pick(kinds);
  return { ...make(), label };
}

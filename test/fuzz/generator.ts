// The request generator: request i of stream s under seed n is a pure
// function of (n, s, i). It picks a route (every one in the catalogue), a
// category, builds the valid request for that route, then breaks one thing
// about it. Objects are named, not looked up: services are fz-0…fz-39, nodes
// are the three simulated workers and the manager itself, so a plan does not
// depend on what the server answered before.

import { body as corpusBody, BODIES } from './corpus';
import { Bulk, isPlainObject, paths, Raw, render, setAt, type Json } from './json-tree';
import { mutateBody, mutationFamily, wrongType } from './mutators';
import {
  percentEncode,
  mutateHeaders,
  mutateQuery,
  mutateUrl,
  needsRaw,
  ODD_METHODS,
  rawRequest,
  targetText,
  type Target,
} from './request-mutators';
import { CATEGORIES, type BodySpec, type Category, type FuzzRequest } from './request';
import { rngFor, type Rng } from './rng';
import { CATALOGUE, ENGINE_CATALOGUE, type QueryParam, type RouteSpec } from './routes';
import { pollingPayload, SOCKET_BASE, upgradeFrames, wsFrame } from './socketio';

export const SERVICE_POOL = 40;
export const poolName = (k: number): string => `fz-${k}`;
/** Every fifth pool service is global, the rest replicated (an update may not change the mode). */
export const isGlobalName = (name: string): boolean => /^fz-\d+$/.test(name) && Number(name.slice(3)) % 5 === 0;
export const SIM_NODES = ['sim-worker-1', 'sim-worker-2', 'sim-worker-3'];
export const SELF = '{{self}}';

export interface Stream {
  name: string;
  routes: readonly RouteSpec[];
}

export const STREAMS = {
  /** Everything, against a manager with its console. */
  main: { name: 'main', routes: CATALOGUE },
  /** The Engine API alone, against a --no-console manager (nothing catches what escapes there). */
  engine: { name: 'engine', routes: ENGINE_CATALOGUE },
} as const satisfies Record<string, Stream>;
export type StreamName = keyof typeof STREAMS;

const ODD_REFS = [
  'nosuch',
  'a',
  '0',
  '-',
  '.',
  '..',
  'x'.repeat(300),
  'Fz-1',
  'fz-1 ',
  'ünï',
  '😀',
  '%2F',
  '__proto__',
  'constructor',
  'abcdefghijklmnopqrstuvwxy',
];

/** Fields in each valid body: a route is picked in proportion to how much there is to break in it. */
const BODY_FIELDS = new Map<string, number>();
function fieldCount(name: NonNullable<RouteSpec['body']>): number {
  let n = BODY_FIELDS.get(name);
  if (n === undefined) BODY_FIELDS.set(name, (n = paths(corpusBody(name)).length));
  return n;
}

function routeWeight(r: RouteSpec): number {
  if (!r.served) return 0.4;
  if (r.socket) return 1.5;
  // the CLI's service spec has ~125 fields, a scale form one: 8 against 2, so a CI run reaches nearly every field
  return r.body ? 1 + Math.log2(fieldCount(r.body)) : 1;
}

function categoryWeights(r: RouteSpec): [Category, number][] {
  const hasBody = !!r.body || r.socket === 'post';
  const hasQuery = !!r.query?.length || !!r.socket;
  const w: Record<Category, number> = {
    valid: 22,
    body: hasBody ? 34 : 5,
    structure: hasBody ? 8 : 2,
    url: 12,
    method: 5,
    headers: 8,
    query: hasQuery ? 10 : 3,
    raw: 4,
  };
  return CATEGORIES.map((c) => [c, w[c]]);
}

function serviceRef(rng: Rng, odd = 0.1): string {
  return rng.chance(odd) ? rng.pick(ODD_REFS) : poolName(rng.int(0, SERVICE_POOL - 1));
}

function nodeRef(rng: Rng): string {
  return rng.weighted([
    [rng.pick(SIM_NODES), 7],
    [SELF, 2],
    [rng.pick(ODD_REFS), 1],
  ]);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function fillPath(rng: Rng, template: string, service: string): string {
  return template
    .replace('{service}', percentEncode(service))
    .replace('{node}', () => {
      const n = nodeRef(rng);
      return n === SELF ? n : percentEncode(n);
    })
    .replace('{task}', () => (rng.chance(0.85) ? '{{task}}' : percentEncode(rng.pick(ODD_REFS))))
    .replace('{version}', () => (rng.chance(0.85) ? '{{serviceVersion}}' : percentEncode(rng.pick(ODD_REFS))))
    .replace('{key}', () => percentEncode(rng.pick(['zone', 'disk', 'fz', 'nosuch', '__proto__', 'a b'])))
    .replace('{image}', () =>
      rng.pick(['nginx:alpine', 'library/nginx', 'localhost:5000/a/b:1', 'nginx%40sha256%3Aabc', 'UPPER']),
    );
}

function engineVersionPrefix(rng: Rng): string {
  return rng.weighted([
    ['/v1.50', 6],
    [`/v1.${rng.int(24, 49)}`, 2],
    ['', 3],
  ]);
}

function validQuery(rng: Rng, params: readonly QueryParam[], service: string): [string, string][] {
  const out: [string, string][] = [];
  for (const p of params) {
    const required = p.name === 'version' || p.name === 'service' || p.name === 'task' || p.name === 'stdout';
    if (!required && !rng.chance(0.5)) continue;
    const v = rng.pick(p.valid).replace('{service}', percentEncode(service)).replace('{task}', '{{task}}');
    out.push([p.name, p.name === 'filters' ? percentEncode(v) : v]);
  }
  return out;
}

function objectAt(v: Json, key: string): { [key: string]: Json } {
  const x = isPlainObject(v) ? v[key] : undefined;
  return isPlainObject(x) ? x : {};
}

/** A spec the server should take: the captured CLI spec, named for the pool, small, ports of its own. */
export function validServiceSpec(rng: Rng, name: string): Json {
  let spec: Json = corpusBody(isGlobalName(name) ? 'globalServiceSpec' : 'serviceSpec');
  spec = setAt(spec, ['Name'], name);
  if (!isGlobalName(name)) spec = setAt(spec, ['Mode', 'Replicated', 'Replicas'], rng.int(0, 3));
  spec = setAt(
    spec,
    ['TaskTemplate', 'ContainerSpec', 'Image'],
    rng.pick(['nginx:alpine', 'nginx:1.27', 'busybox:latest', 'alpine:3.20']),
  );
  const k = Number(name.slice(3)) || 0;
  const ports = objectAt(spec, 'EndpointSpec').Ports;
  if (Array.isArray(ports))
    spec = rng.chance(0.5)
      ? setAt(spec, ['EndpointSpec', 'Ports'], undefined)
      : setAt(
          spec,
          ['EndpointSpec', 'Ports'],
          [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 20_000 + k, PublishMode: 'ingress' }],
        );
  // the reservations would keep most of the pool pending on three small nodes
  if (rng.chance(0.6)) spec = setAt(spec, ['TaskTemplate', 'Resources'], undefined);
  if (rng.chance(0.5)) spec = setAt(spec, ['TaskTemplate', 'ForceUpdate'], rng.int(0, 3));
  if (rng.chance(0.3)) spec = setAt(spec, ['TaskTemplate', 'ContainerSpec', 'Env'], ['A=1', `RUN=${rng.int(0, 9)}`]);
  return spec;
}

/** The valid body of `route` for this request. */
function validBody(rng: Rng, route: RouteSpec, service: string, path: string): Json | undefined {
  switch (route.body) {
    case undefined:
      return undefined;
    case 'serviceSpec':
      return validServiceSpec(rng, service);
    case 'nodeSpec': {
      let spec = corpusBody('nodeSpec');
      // a node named as it is called keeps the fuzzer's references to it working
      const ref = /\/nodes\/([^/?]+)/.exec(path)?.[1];
      spec = setAt(spec, ['Name'], ref && ref !== SELF ? decodeURIComponentSafe(ref) : 'fuzz-manager');
      spec = setAt(spec, ['Role'], path.includes(SELF) ? 'manager' : 'worker');
      spec = setAt(
        spec,
        ['Availability'],
        rng.weighted([
          ['active', 6],
          ['pause', 1],
          ['drain', 1],
        ]),
      );
      return setAt(spec, ['Labels'], rng.chance(0.5) ? { zone: rng.pick(['a', 'b']) } : {});
    }
    case 'secretSpec':
    case 'configSpec': {
      // named after a pool service, so the /secrets/{service} routes find it now and then
      const spec = setAt(corpusBody(route.body), ['Name'], service);
      return rng.chance(0.5) ? setAt(spec, ['Labels'], { fz: String(rng.int(0, 3)) }) : spec;
    }
    case 'swarmSpec': {
      const spec = corpusBody('swarmSpec');
      return setAt(spec, ['Orchestration', 'TaskHistoryRetentionLimit'], rng.int(2, 6));
    }
    case 'createForm': {
      let form = corpusBody('createForm');
      form = setAt(form, ['name'], service);
      form = setAt(form, ['mode'], isGlobalName(service) ? 'global' : 'replicated');
      form = setAt(form, ['replicas'], rng.int(0, 3));
      return rng.chance(0.5) ? setAt(setAt(form, ['reserveCpus'], undefined), ['reserveMemoryMiB'], undefined) : form;
    }
    case 'scale':
      return { replicas: rng.int(0, 3) };
    case 'image':
      return { image: rng.pick(['nginx:alpine', 'nginx:1.27', 'busybox:latest']) };
    case 'updateForm': {
      const form = corpusBody('updateForm');
      return setAt(
        setAt(form, ['force'], rng.chance(0.3)),
        ['failureAction'],
        rng.pick(['pause', 'continue', 'rollback']),
      );
    }
    case 'availability':
      return {
        availability: rng.weighted([
          ['active', 6],
          ['pause', 1],
          ['drain', 1],
        ]),
      };
    case 'label':
      return { key: rng.pick(['zone', 'disk', 'fz']), value: rng.pick(['a', 'b', '']) };
    case 'rotate':
      return { role: rng.pick(['worker', 'manager']) };
    default:
      return corpusBody(route.body);
  }
}

/** A body for a route that takes none, or the root of one replaced: not JSON, the wrong JSON, too much of it. */
function structureBody(rng: Rng, valid: Json | undefined): { body: BodySpec; label: string } {
  const text = valid === undefined ? '{}' : render(valid);
  const options: [() => { body: BodySpec; label: string }, number][] = [
    [
      () => ({
        body: { text: rng.pick(['', ' ', '\n', 'null', '[]', '"str"', '1', '-1', 'true', '{}', '[{}]', '[null]']) },
        label: 'root value',
      }),
      4,
    ],
    [
      () => ({
        body: {
          text: rng.pick([
            '{',
            '}',
            '{"Name":',
            "{'a':1}",
            '{"a":1,}',
            '/*c*/{}',
            '{"a":1}{"b":2}',
            '{"a":1} trailing',
            '{"a":01}',
            '{"a":"\\x"}',
            '{"a":"\u0001"}',
            '[1,]',
            '{,}',
          ]),
        },
        label: 'invalid JSON',
      }),
      4,
    ],
    [() => ({ body: { text: text.slice(0, rng.int(1, Math.max(1, text.length - 1))) }, label: 'truncated' }), 3],
    [() => ({ body: { text: '\ufeff' + text }, label: 'byte order mark' }), 1],
    [
      () => ({
        body: {
          base64: Buffer.concat([
            Buffer.from(text.slice(0, 10)),
            Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
            Buffer.from(text.slice(10)),
          ]).toString('base64'),
        },
        label: 'invalid UTF-8',
      }),
      1,
    ],
    [() => ({ body: { base64: Buffer.from(text, 'utf16le').toString('base64') }, label: 'UTF-16' }), 1],
    [() => ({ body: { text: text.replace(/^\{/, '{"Name":"dup","Name":{"x":1},') }, label: 'duplicate keys' }), 1],
    [() => ({ body: { json: [valid ?? null, valid ?? null] }, label: 'array of bodies' }), 1],
    [() => ({ body: { json: { Spec: valid ?? null } }, label: 'wrapped body' }), 1],
    [
      () => ({
        body: { json: new Bulk({ kind: 'deep-array', depth: rng.pick([10_000, 100_000, 500_000]) }) },
        label: 'deep array',
      }),
      1,
    ],
    [
      () => ({
        body: { json: new Bulk({ kind: 'deep-object', depth: rng.pick([10_000, 100_000]) }) },
        label: 'deep object',
      }),
      1,
    ],
    [
      () => ({
        body: { json: new Bulk({ kind: 'wide-object', count: rng.pick([10_000, 100_000]) }) },
        label: 'wide object',
      }),
      1,
    ],
    [() => ({ body: { json: new Raw('1'.repeat(100_000)) }, label: 'long number' }), 0.5],
    // large, and beyond any sane limit: 5 and 33 MB, 12 MB of nesting (a few per CI run: they are slow to send)
    [() => ({ body: { json: new Bulk({ kind: 'string', bytes: 5 * 1024 * 1024 }) }, label: 'large body' }), 0.1],
    [() => ({ body: { json: new Bulk({ kind: 'string', bytes: 33 * 1024 * 1024 }) }, label: 'oversized body' }), 0.1],
    [
      () => ({ body: { json: new Bulk({ kind: 'deep-array', depth: 6_000_000 }) }, label: 'oversized deep array' }),
      0.05,
    ],
  ];
  return rng.weighted(options)();
}

/** A JSON body that never belonged on this route (GET and DELETE with bodies, forms on the wrong path). */
function strayBody(rng: Rng): Json {
  const names = Object.keys(BODIES) as (keyof typeof BODIES)[];
  return rng.chance(0.7) ? corpusBody(rng.pick(names)) : wrongType(rng, {});
}

function oddSocketQuery(rng: Rng): [string, string][] {
  return [
    ['EIO', rng.pick(['4', '3', '5', '', 'x', '99999999999999999999'])],
    ['transport', rng.pick(['polling', 'websocket', 'webtransport', 'flashsocket', '', 'x'])],
    ...(rng.chance(0.5)
      ? [['sid', rng.pick(['', 'nosuch', 'x'.repeat(500), '{{sid}}', '%zz'])] as [string, string]]
      : []),
    ...(rng.chance(0.3) ? [['b64', rng.pick(['1', 'true', 'x'])] as [string, string]] : []),
    ...(rng.chance(0.3) ? [['j', rng.pick(['0', 'x'])] as [string, string]] : []),
  ];
}

/** A socket.io request; the category decides what is broken. */
function socketRequest(
  rng: Rng,
  route: RouteSpec,
  category: Category,
  base: FuzzRequest,
  hostPort: string,
): FuzzRequest {
  const r = { ...base, headers: [...base.headers] as [string, string][] };
  // a poll of a session that has connected has something to say at once (else it waits for the next ping)
  const sidQuery = route.socket === 'post' ? '&sid={{sid}}' : route.socket === 'poll' ? '&sid={{sid+}}' : '';
  const t = `&t=${rng.int(0, 1e9).toString(36)}`;
  r.path = `${SOCKET_BASE}${sidQuery}${t}`;
  if (route.socket === 'post') {
    const p = pollingPayload(rng, category === 'body' || category === 'structure');
    r.body = { text: p.text };
    r.headers.push(['Content-Type', 'text/plain;charset=UTF-8']);
    r.label = p.label;
  }
  if (route.socket === 'upgrade') {
    const f = upgradeFrames(rng, category !== 'valid');
    const key = Buffer.from(Array.from({ length: 16 }, () => rng.int(0, 255))).toString('base64');
    let head = [
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`,
      `Host: ${hostPort}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    let label = `frames: ${f.label}`;
    if (category === 'headers' || category === 'url' || category === 'query') {
      const broken = rng.int(0, 5);
      label = `upgrade head: ${['no key', 'version 8', 'no upgrade', 'foreign origin', 'bad path', 'odd query'][broken]}`;
      if (broken === 0) head = head.filter((h) => !h.startsWith('Sec-WebSocket-Key'));
      if (broken === 1)
        head = head.map((h) => (h.startsWith('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 8' : h));
      if (broken === 2) head = head.filter((h) => !h.startsWith('Upgrade'));
      if (broken === 3) head.push('Origin: http://evil.example');
      if (broken === 4)
        head[0] = `GET ${rng.pick(['/socket.io', '//socket.io/', '/socket.io/%zz', '/other', '/api/state'])}?EIO=4&transport=websocket HTTP/1.1`;
      if (broken === 5)
        head[0] = `GET /socket.io/?${oddSocketQuery(rng)
          .map(([k, v]) => `${k}=${v}`)
          .join('&')} HTTP/1.1`;
    }
    r.raw = { head: head.join('\r\n') };
    r.frames = (category === 'valid' ? f.frames : [...f.frames, wsFrame(Buffer.alloc(0), { opcode: 8 })]).map((b) =>
      b.toString('base64'),
    );
    r.label = label;
    r.path = head[0]!.split(' ')[1]!;
    return r;
  }
  switch (category) {
    case 'query':
      r.path = `/socket.io/?${oddSocketQuery(rng)
        .map(([k, v]) => `${k}=${v}`)
        .join('&')}`;
      r.label = 'odd engine.io query';
      break;
    case 'headers': {
      const m = mutateHeaders(rng, r.headers, hostPort);
      r.headers = m.headers;
      r.label = `headers: ${m.label}`;
      break;
    }
    case 'url': {
      const m = mutateUrl(
        rng,
        {
          path: '/socket.io/',
          query: [
            ['EIO', '4'],
            ['transport', 'polling'],
          ],
        },
        false,
      );
      r.path = m.target;
      r.label = `url: ${m.label}`;
      break;
    }
    case 'method':
      r.method = rng.pick(ODD_METHODS.filter((m) => m !== route.method));
      r.label = `method ${r.method}`;
      break;
    default:
      break;
  }
  return r;
}

/** Ports are filled in at send time; the generator only needs the Host text's shape. */
const HOST_PLACEHOLDER = '{{host}}';

/** Request `index` of `stream` under `seed`. */
export function generate(seed: number, streamName: StreamName, index: number): FuzzRequest {
  const stream = STREAMS[streamName];
  const rng = rngFor(seed, stream.name, index);
  const route = rng.weighted(stream.routes.map((r) => [r, routeWeight(r)] as const));
  const category = rng.weighted(categoryWeights(route));
  const service = serviceRef(rng, category === 'valid' ? 0.02 : 0.1);
  const versioned = route.port === 'engine';
  const prefix = versioned ? engineVersionPrefix(rng) : '';
  const path = prefix + fillPath(rng, route.path, service);
  const target: Target = { path, query: validQuery(rng, route.query ?? [], service) };
  const valid = validBody(rng, route, service, path);
  const headers: [string, string][] = [['User-Agent', 'Docker-Client/28.2.2 (linux)']];
  if (valid !== undefined) headers.push(['Content-Type', 'application/json']);
  const base: FuzzRequest = {
    stream: stream.name,
    index,
    route: route.id,
    port: route.port,
    category,
    label: 'valid',
    families: [],
    method: route.method,
    path: targetText(target),
    headers,
    body: valid === undefined ? undefined : { json: valid },
    streaming: route.streaming,
    service: /^fz-\d+$/.test(service) ? service : undefined,
    socket: route.socket,
  };
  if (route.socket) {
    const r = socketRequest(rng, route, category, base, HOST_PLACEHOLDER);
    return rawIfNeeded({ ...r, families: [`${route.id} ${category} ${r.label.replace(/ .*/, '')}`] });
  }
  const r = { ...base };
  switch (category) {
    case 'valid':
      break;
    case 'body': {
      if (valid === undefined) {
        r.body = { json: strayBody(rng) };
        r.headers = [...headers, ['Content-Type', 'application/json']];
        r.label = 'stray body';
        break;
      }
      const m = mutateBody(rng, valid);
      r.body = { json: m.body };
      r.label = m.mutations.map((x) => `${x.kind} ${x.path.join('.') || '(root)'} := ${x.value}`).join('; ');
      r.families = m.mutations.map((x) => `${route.id} ${mutationFamily(x)}`);
      break;
    }
    case 'structure': {
      const s = structureBody(rng, valid);
      r.body = s.body;
      if (valid === undefined) r.headers = [...headers, ['Content-Type', 'application/json']];
      r.label = s.label;
      break;
    }
    case 'url': {
      const m = mutateUrl(rng, target, versioned);
      r.path = m.target;
      r.label = `url: ${m.label}`;
      r.families = [`${route.port} url ${m.label}`];
      break;
    }
    case 'method': {
      r.method = rng.pick(ODD_METHODS.filter((m) => m !== route.method));
      r.label = `method ${r.method}`;
      break;
    }
    case 'headers': {
      const m = mutateHeaders(rng, headers, HOST_PLACEHOLDER);
      r.headers = m.headers;
      r.label = `headers: ${m.label}`;
      r.families = [`${route.port} headers ${m.label}`];
      break;
    }
    case 'query': {
      const m = mutateQuery(rng, target.query, route.query ?? []);
      r.path = targetText({ path, query: m.query });
      r.label = `query: ${m.label}`;
      break;
    }
    case 'raw': {
      const m = rawRequest(rng, route.method, r.path.replace(/\{\{host\}\}/g, ''), HOST_PLACEHOLDER);
      r.raw = { head: m.head };
      r.body = m.body === undefined ? undefined : { text: m.body };
      r.label = `raw: ${m.label}`;
      r.families = [`${route.port} raw ${m.label}`];
      break;
    }
  }
  if (r.families.length === 0) r.families = [`${route.id} ${category} ${r.label.replace(/:.*/, '')}`];
  return rawIfNeeded(r);
}

/** node's client refuses some targets: such a request goes byte for byte over a socket instead. */
function rawIfNeeded(r: FuzzRequest): FuzzRequest {
  if (r.raw || !needsRaw(r.path)) return r;
  const lines = [
    `${r.method} ${r.path} HTTP/1.1`,
    `Host: ${HOST_PLACEHOLDER}`,
    ...r.headers.map(([k, v]) => `${k}: ${v}`),
    'Connection: close',
    r.body ? 'Content-Length: {{content-length}}' : 'Content-Length: 0',
  ];
  return { ...r, raw: { head: lines.join('\r\n') } };
}

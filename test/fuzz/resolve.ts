// Filling a generated request's {{placeholders}} against the live manager:
// the current version of the object an update names (so the update reaches
// the server's checks instead of losing a version race), a real task ID, a
// recorded spec version, a socket.io session, the Host. Each lookup is a
// request of its own ("support" requests, judged like the rest).

import type { Outcome, Wire } from './http-client';
import { bodyBytes, type FuzzRequest } from './request';
import { connectPacket, SOCKET_BASE } from './socketio';

export interface Endpoint {
  engine: number;
  console?: number;
  selfNodeID: string;
  /** A logged-in console session (`name=value`): the console refuses every request without one. */
  cookie?: string;
}

/** Headers with the session cookie added (console requests only: the fuzzing is of what is behind the login). */
function withCookie(ctx: ResolveContext, headers: [string, string][]): [string, string][] {
  const cookie = ctx.endpoint.cookie;
  if (!cookie || headers.some(([k]) => k.toLowerCase() === 'cookie')) return headers;
  return [...headers, ['Cookie', cookie]];
}

export type SupportSender = (what: string, wire: Wire) => Promise<Outcome>;

export interface ResolveContext {
  endpoint: Endpoint;
  /** Task IDs seen lately (refreshed by the runner). */
  tasks: readonly string[];
  support: SupportSender;
}

function json(o: Outcome): unknown {
  try {
    return JSON.parse(o.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function engineGet(ctx: ResolveContext, what: string, path: string): Promise<unknown> {
  const o = await ctx.support(what, {
    port: ctx.endpoint.engine,
    method: 'GET',
    target: path,
    headers: [['User-Agent', 'Docker-Client/28.2.2 (linux)']],
  });
  return o.status === 200 ? json(o) : undefined;
}

const versionOf = (v: unknown): string =>
  String((v as { Version?: { Index?: number } } | undefined)?.Version?.Index ?? 1);

function refAfter(path: string, segment: string): string | undefined {
  const m = new RegExp(`/${segment}/([^/?]+)`).exec(path);
  return m?.[1];
}

/** A socket.io polling session id, or a string the server will not know. */
export async function openSocketSession(ctx: ResolveContext): Promise<string> {
  if (!ctx.endpoint.console) return 'nosid';
  const o = await ctx.support('socket.io open', {
    port: ctx.endpoint.console,
    method: 'GET',
    target: `${SOCKET_BASE}&t=open`,
    headers: withCookie(ctx, []),
  });
  return /"sid":"([^"]+)"/.exec(o.body.toString('utf8'))?.[1] ?? 'nosid';
}

export async function closeSocketSession(ctx: ResolveContext, sid: string): Promise<void> {
  if (!ctx.endpoint.console || sid === 'nosid') return;
  await ctx.support('socket.io close', {
    port: ctx.endpoint.console,
    method: 'POST',
    target: `${SOCKET_BASE}&sid=${sid}`,
    headers: withCookie(ctx, [['Content-Type', 'text/plain;charset=UTF-8']]),
    body: Buffer.from('1'),
  });
}

/** The request as it goes on the wire, placeholders filled; `sid` is set when a session was opened for it. */
export async function resolveRequest(r: FuzzRequest, ctx: ResolveContext): Promise<{ wire: Wire; sid?: string }> {
  const port = r.port === 'engine' ? ctx.endpoint.engine : (ctx.endpoint.console ?? ctx.endpoint.engine);
  const values = new Map<string, string>();
  values.set('{{host}}', `127.0.0.1:${port}`);
  values.set('{{self}}', ctx.endpoint.selfNodeID);
  const texts = [r.path, r.raw?.head ?? '', ...r.headers.map(([, v]) => v)];
  let body = bodyBytes(r.body);
  const wants = (p: string) => texts.some((t) => t.includes(p)) || (body?.includes(p) ?? false);
  const path = r.path.replace('{{self}}', ctx.endpoint.selfNodeID);
  let sid: string | undefined;
  if (wants('{{version:service}}')) {
    const ref = r.service ?? refAfter(path, 'services') ?? 'nosuch';
    values.set('{{version:service}}', versionOf(await engineGet(ctx, 'service version', `/v1.50/services/${ref}`)));
  }
  if (wants('{{version:node}}')) {
    const ref = refAfter(path, 'nodes') ?? 'nosuch';
    values.set('{{version:node}}', versionOf(await engineGet(ctx, 'node version', `/v1.50/nodes/${ref}`)));
  }
  for (const kind of ['secret', 'config'] as const) {
    if (!wants(`{{version:${kind}}}`)) continue;
    const ref = refAfter(path, `${kind}s`) ?? 'nosuch';
    values.set(`{{version:${kind}}}`, versionOf(await engineGet(ctx, `${kind} version`, `/v1.50/${kind}s/${ref}`)));
  }
  if (wants('{{version:swarm}}'))
    values.set('{{version:swarm}}', versionOf(await engineGet(ctx, 'swarm version', '/v1.50/swarm')));
  if (wants('{{task}}'))
    values.set('{{task}}', ctx.tasks.length ? ctx.tasks[r.index % ctx.tasks.length]! : 'nosuchtask');
  if (wants('{{serviceVersion}}')) {
    let id = 'noversion';
    const ref = r.service ?? refAfter(path, 'services');
    if (ref && ctx.endpoint.console) {
      const o = await ctx.support('service versions', {
        port: ctx.endpoint.console,
        method: 'GET',
        target: `/api/services/${ref}/versions`,
        headers: withCookie(ctx, []),
      });
      const list = (json(o) as { Versions?: { ID: string }[] } | undefined)?.Versions ?? [];
      if (list.length) id = list[r.index % list.length]!.ID;
    }
    values.set('{{serviceVersion}}', id);
  }
  if (wants('{{sid}}')) {
    sid = await openSocketSession(ctx);
    values.set('{{sid}}', sid);
  }
  if (wants('{{sid+}}')) {
    sid = await openSocketSession(ctx);
    await ctx.support('socket.io connect', {
      port,
      method: 'POST',
      target: `${SOCKET_BASE}&sid=${sid}`,
      headers: withCookie(ctx, [['Content-Type', 'text/plain;charset=UTF-8']]),
      body: Buffer.from(connectPacket()),
    });
    values.set('{{sid+}}', sid);
  }
  const fill = (t: string) => {
    let out = t;
    for (const [k, v] of values) out = out.split(k).join(v);
    return out;
  };
  // only the placeholders of ours: a body may hold other {{…}} (templates) and bytes that are not UTF-8
  if (body && [...values.keys()].some((k) => body!.includes(k))) body = Buffer.from(fill(body.toString('utf8')));
  values.set('{{content-length}}', String(body?.length ?? 0));
  const cookie = port === ctx.endpoint.console ? ctx.endpoint.cookie : undefined;
  const headers = r.headers.map(([k, v]): [string, string] => [k, fill(v)]);
  const rawHead = r.raw ? fill(r.raw.head) : undefined;
  return {
    wire: {
      port,
      method: r.method,
      target: fill(r.path),
      headers: cookie ? withCookie(ctx, headers) : headers,
      body,
      // a raw request gets the cookie as its second line (after the request line it may have mangled)
      rawHead: rawHead !== undefined && cookie ? rawHead.replace('\r\n', `\r\nCookie: ${cookie}\r\n`) : rawHead,
      frames: r.frames?.map((f) => Buffer.from(f, 'base64')),
      streaming: r.streaming,
    },
    sid,
  };
}

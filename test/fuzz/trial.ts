// Sending requests to a throwaway manager: the setup a request needs (its
// service created with a valid spec) and the request itself, placeholders
// filled against that manager. Used to pin which request killed the manager
// under fuzz, to replay a saved failure, and by the minimiser.

import { send, type Outcome } from './http-client';
import { rngFor } from './rng';
import { validServiceSpec } from './generator';
import { render } from './json-tree';
import type { FuzzRequest } from './request';
import { closeSocketSession, resolveRequest, type ResolveContext } from './resolve';
import type { Target } from './target';

export function directContext(t: Target, tasks: string[] = []): ResolveContext {
  return {
    endpoint: {
      engine: t.ports.engine,
      console: t.console ? t.ports.console : undefined,
      selfNodeID: t.selfNodeID,
      cookie: t.cookie,
    },
    tasks,
    support: (_what, wire) => send(wire, 5_000),
  };
}

/** Create the pool service `name` refers to, with the valid spec the generator would build for it. */
export async function createPoolService(t: Target, name: string, seed: number): Promise<Outcome> {
  const spec = validServiceSpec(rngFor(seed, 'setup', name), name);
  return send(
    {
      port: t.ports.engine,
      method: 'POST',
      target: '/v1.50/services/create',
      headers: [['Content-Type', 'application/json']],
      body: Buffer.from(render(spec)),
    },
    10_000,
  );
}

/** A few task IDs of the manager (for {{task}}). */
export async function taskIDs(t: Target): Promise<string[]> {
  const o = await send({ port: t.ports.engine, method: 'GET', target: '/v1.50/tasks', headers: [] }, 5_000);
  try {
    return (JSON.parse(o.body.toString('utf8')) as { ID: string }[]).map((x) => x.ID).slice(0, 50);
  } catch {
    return [];
  }
}

/** Send `requests` in order to `t`, each after its setup. Stops early if the manager dies. */
export async function sendAll(t: Target, requests: FuzzRequest[], seed: number): Promise<Outcome[]> {
  const created = new Set<string>();
  const out: Outcome[] = [];
  for (const r of requests) {
    if (!t.server.alive()) break;
    if (r.service && !created.has(r.service)) {
      created.add(r.service);
      await createPoolService(t, r.service, seed);
    }
    const ctx = directContext(t, r.path.includes('{{task}}') ? await taskIDs(t) : []);
    const { wire, sid } = await resolveRequest(r, ctx);
    const timeout = (wire.body?.length ?? 0) > 1024 * 1024 ? 30_000 : 5_000;
    out.push(await send(wire, timeout));
    if (sid) await closeSocketSession(ctx, sid);
  }
  return out;
}

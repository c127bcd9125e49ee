// What a browser may send the console's socket: its handshake (auth, or the
// same fields in the query string), `{v, since, tasks}`, and later only a new
// task scope when its page changes.

import { z } from 'zod';
import { MAX_SCOPE_SERVICES, type RealtimeHello, type TaskScope } from '../realtime';

/** A whole number ≥ 0, as JSON (auth) or as query text. */
const index = (name: string) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = typeof v === 'string' ? (/^\d+$/.test(v) ? Number(v) : NaN) : v;
      if (Number.isSafeInteger(n) && n >= 0) return n;
      ctx.issues.push({
        code: 'custom',
        message: `invalid handshake: ${name} must be a non-negative integer`,
        input: v,
      });
      return undefined;
    });

/** A swarm object ID as the store makes them (and a little room). */
const objectID = z.string().regex(/^[a-z0-9]{1,64}$/, 'a service ID is 1 to 64 lowercase letters and digits');

const someServices = z.strictObject({
  services: z.array(objectID).max(MAX_SCOPE_SERVICES, `at most ${MAX_SCOPE_SERVICES} services (or 'all')`),
});

const helloFields = z.object({ v: index('v'), since: index('since') });

/** A task scope, in the handshake or in a `scope` message; anything else is refused with the reason. */
export function parseTaskScope(input: unknown): TaskScope | { error: string } {
  if (input === 'all') return 'all';
  if (!input || typeof input !== 'object') return { error: 'invalid task scope: expected "all" or {services: [...]}' };
  const r = someServices.safeParse(input);
  if (r.success) return { services: [...new Set(r.data.services)] };
  return { error: `invalid task scope: ${r.error.issues[0]?.message ?? 'expected "all" or {services: [...]}'}` };
}

/**
 * The handshake's `{v, since}`, from the auth object first and the query
 * second; a value of the wrong type is refused with a message naming it.
 */
export function parseHello(auth: unknown, query: unknown): RealtimeHello | { error: string } {
  const read = (src: unknown) => {
    const r = helloFields.safeParse(src && typeof src === 'object' && !Array.isArray(src) ? src : {});
    return r.success ? r.data : { error: r.error.issues[0]?.message ?? 'invalid handshake' };
  };
  const a = read(auth);
  const q = read(query);
  if ('error' in a) return a;
  if ('error' in q) return q;
  const hello: RealtimeHello = { v: a.v ?? q.v, since: a.since ?? q.since };
  // the scope is structured: the auth object only (a query string cannot carry it)
  const tasks = auth && typeof auth === 'object' ? (auth as { tasks?: unknown }).tasks : undefined;
  if (tasks === undefined) return hello;
  const scope = parseTaskScope(tasks);
  return typeof scope === 'object' && 'error' in scope ? scope : { ...hello, tasks: scope };
}

// What a browser may send the console's socket: only its handshake (auth,
// or the same fields in the query string), `{v, since}`. The console sends
// nothing after it.

import { z } from 'zod';
import type { RealtimeHello } from '../realtime';

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

const helloFields = z.object({ v: index('v'), since: index('since') });

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
  return { v: a.v ?? q.v, since: a.since ?? q.since };
}

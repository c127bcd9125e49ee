// Messages between cluster members (forwarded writes, dispatcher sessions,
// the log broker) arrive as JSON from another process: each is parsed by its
// schema before it is acted on, so a malformed or hostile peer gets an
// InvalidArgument naming the field, never a TypeError or a poisoned store.

import { z } from 'zod';
import { rpcError } from '../errors';

/** RFC 3339 with an offset, as Go's time.Time decodes it (the CLI refuses anything else). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export const rfc3339 = () =>
  z.string().check((ctx) => {
    if (!RFC3339.test(ctx.value) || Number.isNaN(Date.parse(ctx.value)))
      ctx.issues.push({ code: 'custom', message: 'expected an RFC 3339 time', input: ctx.value });
  });

/** A whole number ≥ 0 that JSON carries exactly. */
export const count = () => z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Parses a peer's message; a bad one is `rpc error: code = InvalidArgument desc = <what>: <field>: <problem>`. */
export function parseWire<T extends z.ZodType>(schema: T, payload: unknown, what: string): z.output<T> {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw rpcError('InvalidArgument', `${what}: ${where}${issue?.message ?? 'malformed'}`);
}

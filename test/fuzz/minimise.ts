// Shrinking a body that makes the server fail: drop keys and elements,
// empty containers, shorten strings, as long as the same failure (status and
// folded message) comes back. Greedy and bounded; the result is the request
// to put in a bug report.

import { send } from './http-client';
import { Bulk, getAt, isPlainObject, paths, setAt, type Json } from './json-tree';
import type { Failure } from './records';
import type { FuzzRequest } from './request';
import { resolveRequest } from './resolve';
import type { Target } from './target';
import { directContext } from './trial';
import { foldMessage, messageOf } from './verdict';

export interface Minimised {
  body: Json;
  attempts: number;
  note: string;
}

/** Smaller variants of `body`, biggest cuts first. */
function* shrinks(body: Json): Generator<Json> {
  const all = paths(body).slice(1);
  // shallow paths first: dropping a whole subtree is the biggest cut
  all.sort((a, b) => a.length - b.length);
  for (const p of all) yield setAt(body, p, undefined);
  for (const p of all) {
    const v = getAt(body, p);
    if (Array.isArray(v) && v.length > 0) yield setAt(body, p, []);
    else if (isPlainObject(v) && Object.keys(v).length > 0) yield setAt(body, p, {});
    else if (typeof v === 'string' && v.length > 1) yield setAt(body, p, v.slice(0, 1));
    else if (v instanceof Bulk) yield setAt(body, p, null);
  }
}

function size(b: Json): number {
  return paths(b).length;
}

export async function minimiseBody(
  t: Target,
  f: Failure,
  opts: { maxAttempts?: number; deadline?: number } = {},
): Promise<Minimised | undefined> {
  const r = f.request;
  if (!r.body || !('json' in r.body) || f.kind !== '5xx' || !f.answer) return undefined;
  // a 5xx's cause is its status and folded message
  const want = f.cause;
  const maxAttempts = opts.maxAttempts ?? 150;
  const deadline = opts.deadline ?? Date.now() + 30_000;
  let attempts = 0;
  const fails = async (body: Json): Promise<boolean> => {
    attempts++;
    const candidate: FuzzRequest = { ...r, body: { json: body } };
    const { wire } = await resolveRequest(candidate, directContext(t));
    const o = await send(wire, 5_000);
    return o.status !== undefined && `${o.status} ${foldMessage(messageOf(o))}` === want;
  };
  let best = r.body.json;
  if (!(await fails(best))) return { body: best, attempts, note: 'did not fail again on this manager' };
  if (await fails({}))
    return {
      body: {},
      attempts,
      note: 'fails whatever the body: the manager state is poisoned (see the mutated bodies the API accepted)',
    };
  let improved = true;
  while (improved && attempts < maxAttempts && Date.now() < deadline && t.server.alive()) {
    improved = false;
    for (const next of shrinks(best)) {
      if (attempts >= maxAttempts || Date.now() >= deadline || !t.server.alive()) break;
      if (size(next) >= size(best) && JSON.stringify(next) === JSON.stringify(best)) continue;
      if (await fails(next)) {
        best = next;
        improved = true;
        break;
      }
    }
  }
  return {
    body: best,
    attempts,
    note: improved ? 'budget spent before the smallest was reached' : 'no single cut keeps it failing',
  };
}

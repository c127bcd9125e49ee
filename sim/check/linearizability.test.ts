import { describe, expect, it } from 'vitest';
import { checkOperations, formatCheckResult, formatHistory, type Model, type Operation } from './linearizability';
import {
  kvModel,
  versionedObjectsModel,
  type KvInput,
  type KvOutput,
  type VersionedInput,
  type VersionedOutput,
} from './models';

type KvOp = Operation<KvInput, KvOutput>;
type VOp = Operation<VersionedInput, VersionedOutput>;

const get = (clientId: number, key: string, value: string | null, call: number, ret: number): KvOp => ({
  clientId,
  input: { op: 'get', key },
  output: ret === Infinity ? undefined : { value },
  call,
  return: ret,
});
const put = (clientId: number, key: string, value: string, call: number, ret: number): KvOp => ({
  clientId,
  input: { op: 'put', key, value },
  output: ret === Infinity ? undefined : {},
  call,
  return: ret,
});
const append = (clientId: number, key: string, value: string, call: number, ret: number): KvOp => ({
  clientId,
  input: { op: 'append', key, value },
  output: {},
  call,
  return: ret,
});
const vop = (clientId: number, input: VersionedInput, output: VersionedOutput | undefined, call: number, ret: number) =>
  ({ clientId, input, output, call, return: ret }) as VOp;

/** Exhaustive reference: try every order that respects real time; pending ops are optional. */
function bruteForce<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[]): boolean {
  const placed = new Array<boolean>(ops.length).fill(false);
  const search = (state: S, left: number): boolean => {
    if (left === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const op = ops[i]!;
      // op may go next only if no unplaced op returned strictly before op was called
      if (ops.some((o, j) => !placed[j] && j !== i && o.return < op.call)) continue;
      const [ok, next] = model.step(state, op.input, op.return === Infinity ? undefined : op.output);
      if (!ok) continue;
      placed[i] = true;
      const done = search(next, left - (op.return === Infinity ? 0 : 1));
      placed[i] = false;
      if (done) return true;
    }
    return false;
  };
  return search(model.init(), ops.filter((o) => o.return !== Infinity).length);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A history produced by a real linearizable register map: each op takes effect at a random instant
 * inside its [call, return] window (pending ops: inside a window, or never), outputs are computed by
 * applying the ops in effect order.
 */
function linearizableKvHistory(seed: number, nOps: number, nKeys: number, nClients: number, pendingRate = 0): KvOp[] {
  const rand = rng(seed);
  const clock = new Array<number>(nClients).fill(0);
  const drafts: { op: KvOp; at: number }[] = [];
  for (let i = 0; i < nOps; i++) {
    const c = Math.floor(rand() * nClients);
    const call = clock[c]! + Math.floor(rand() * 20);
    const ret = call + 1 + Math.floor(rand() * 60);
    clock[c] = ret + 1;
    const key = `k${Math.floor(rand() * nKeys)}`;
    const r = rand();
    const input: KvInput =
      r < 0.4
        ? { op: 'get', key }
        : r < 0.65
          ? { op: 'put', key, value: `v${i}` }
          : r < 0.85
            ? { op: 'append', key, value: `.${i}` }
            : { op: 'cas', key, expect: rand() < 0.5 ? null : `v${Math.floor(rand() * i)}`, value: `c${i}` };
    const pending = rand() < pendingRate;
    const at = pending && rand() < 0.5 ? Infinity : call + rand() * (ret - call);
    drafts.push({ op: { clientId: c, input, call, return: pending ? Infinity : ret }, at });
  }
  const store = new Map<string, string>();
  for (const d of [...drafts].filter((d) => d.at !== Infinity).sort((a, b) => a.at - b.at)) {
    const { input } = d.op;
    const cur = store.get(input.key) ?? null;
    if (input.op === 'get') {
      d.op.output = { value: cur };
    } else if (input.op === 'put' || input.op === 'append') {
      store.set(input.key, input.op === 'put' ? input.value : (cur ?? '') + input.value);
      d.op.output = {};
    } else {
      if (input.expect !== null && rand() < 0.3) input.expect = cur; // make some swaps succeed
      const ok = cur === input.expect;
      if (ok) store.set(input.key, input.value);
      d.op.output = { ok };
    }
    if (d.op.return === Infinity) d.op.output = undefined;
  }
  return drafts.map((d) => d.op);
}

/** Like linearizableKvHistory, for store objects; `index` stamps writes with a global log index. */
function linearizableVersionedHistory(
  seed: number,
  nOps: number,
  nIds: number,
  nClients: number,
  versions: 'counter' | 'index',
  pendingRate = 0,
): VOp[] {
  const rand = rng(seed);
  const clock = new Array<number>(nClients).fill(0);
  const drafts: { op: VOp; at: number }[] = [];
  for (let i = 0; i < nOps; i++) {
    const c = Math.floor(rand() * nClients);
    const call = clock[c]! + Math.floor(rand() * 20);
    const ret = call + 1 + Math.floor(rand() * 60);
    clock[c] = ret + 1;
    const id = `o${Math.floor(rand() * nIds)}`;
    const r = rand();
    const input: VersionedInput =
      r < 0.15
        ? { op: 'create', id }
        : r < 0.55
          ? { op: 'update', id, expect: 0 }
          : r < 0.9
            ? { op: 'read', id }
            : { op: 'delete', id };
    const pending = rand() < pendingRate;
    const at = pending && rand() < 0.5 ? Infinity : call + rand() * (ret - call);
    drafts.push({ op: { clientId: c, input, call, return: pending ? Infinity : ret }, at });
  }
  const objects = new Map<string, number>();
  let index = 0;
  const bump = (from: number) => (versions === 'counter' ? from + 1 : ++index + 100);
  for (const d of [...drafts].filter((d) => d.at !== Infinity).sort((a, b) => a.at - b.at)) {
    const { input } = d.op;
    const cur = objects.get(input.id);
    let out: VersionedOutput;
    if (input.op === 'create') {
      if (cur !== undefined) out = { status: 'exists' };
      else {
        const v = versions === 'counter' ? 1 : bump(0);
        objects.set(input.id, v);
        out = { status: 'ok', version: rand() < 0.5 ? v : undefined };
      }
    } else if (input.op === 'update') {
      // clients usually send the version they just read; sometimes a stale one
      input.expect = cur === undefined ? 1 : rand() < 0.7 ? cur : Math.max(0, cur - 1 - Math.floor(rand() * 3));
      if (cur === undefined) out = { status: 'absent' };
      else if (input.expect !== cur) out = { status: 'conflict' };
      else {
        const v = bump(cur);
        objects.set(input.id, v);
        out = { status: 'ok', version: rand() < 0.5 ? v : undefined };
      }
    } else if (input.op === 'read') {
      out = cur === undefined ? { status: 'absent' } : { status: 'ok', version: cur };
    } else {
      out = cur === undefined ? { status: 'absent' } : { status: 'ok' };
      if (cur !== undefined) objects.delete(input.id);
    }
    d.op.output = d.op.return === Infinity ? undefined : out;
  }
  return drafts.map((d) => d.op);
}

describe('checkOperations: key-value register', () => {
  it('accepts a sequential history and an empty one', () => {
    const h = [put(1, 'x', 'a', 0, 1), get(1, 'x', 'a', 2, 3), append(2, 'x', 'b', 4, 5), get(3, 'x', 'ab', 6, 7)];
    expect(checkOperations(kvModel, h).result).toBe('ok');
    expect(checkOperations(kvModel, []).result).toBe('ok');
  });

  it('accepts concurrent writes observed in either order', () => {
    const writes = [put(1, 'x', '1', 0, 10), put(2, 'x', '2', 0, 10)];
    expect(checkOperations(kvModel, [...writes, get(3, 'x', '1', 11, 12)]).ok).toBe(true);
    expect(checkOperations(kvModel, [...writes, get(3, 'x', '2', 11, 12)]).ok).toBe(true);
    // a read overlapping a write may see the old or the new value
    expect(checkOperations(kvModel, [put(1, 'y', 'n', 5, 15), get(2, 'y', null, 0, 20)]).ok).toBe(true);
    expect(checkOperations(kvModel, [put(1, 'y', 'n', 5, 15), get(2, 'y', 'n', 0, 20)]).ok).toBe(true);
  });

  it('rejects a stale read after a completed write and explains where it got stuck', () => {
    const w = put(1, 'x', '1', 0, 10);
    const stale = get(2, 'x', null, 20, 30);
    const r = checkOperations(kvModel, [w, stale]);
    expect(r.result).toBe('illegal');
    expect(r.ok).toBe(false);
    expect(r.partial!.linearized).toEqual([w]);
    expect(r.partial!.states).toEqual([{ x: '1' }]);
    expect(r.partial!.stuck).toBe(stale);
    expect(r.partial!.candidates).toEqual([stale]);
    const text = formatCheckResult(kvModel, r);
    expect(text).toContain('NOT linearizable');
    expect(text).toContain('1. client 1 [0, 10] put(x, "1")');
    expect(text).toContain('Stuck');
    expect(text).toContain('client 2 [20, 30] get(x) → null');
  });

  it('rejects two readers that observe two writes in opposite orders', () => {
    const h = [
      put(1, 'x', 'a', 0, 100),
      put(2, 'x', 'b', 0, 100),
      get(3, 'x', 'a', 10, 20),
      get(3, 'x', 'b', 30, 40),
      get(4, 'x', 'b', 10, 20),
      get(4, 'x', 'a', 30, 40),
    ];
    expect(checkOperations(kvModel, h).result).toBe('illegal');
    // either reader alone is fine
    expect(checkOperations(kvModel, h.slice(0, 4)).result).toBe('ok');
  });

  it('rejects a lost acknowledged append', () => {
    const h = [append(1, 'x', 'a', 0, 5), append(2, 'x', 'b', 6, 8), get(3, 'x', 'b', 10, 11)];
    expect(checkOperations(kvModel, h).result).toBe('illegal');
    expect(checkOperations(kvModel, [...h.slice(0, 2), get(3, 'x', 'ab', 10, 11)]).result).toBe('ok');
  });

  it('checks compare-and-set outcomes', () => {
    const cas = (c: number, expectV: string | null, value: string, ok: boolean, call: number, ret: number): KvOp => ({
      clientId: c,
      input: { op: 'cas', key: 'x', expect: expectV, value },
      output: { ok },
      call,
      return: ret,
    });
    // two concurrent CAS from the same expected value: exactly one may win
    expect(checkOperations(kvModel, [cas(1, null, 'a', true, 0, 5), cas(2, null, 'b', false, 0, 5)]).ok).toBe(true);
    expect(checkOperations(kvModel, [cas(1, null, 'a', true, 0, 5), cas(2, null, 'b', true, 0, 5)]).ok).toBe(false);
  });

  it('treats an operation called at the instant another returned as concurrent', () => {
    expect(checkOperations(kvModel, [put(1, 'x', '1', 0, 10), get(2, 'x', null, 10, 12)]).ok).toBe(true);
    expect(checkOperations(kvModel, [put(1, 'x', '1', 0, 10), get(2, 'x', null, 11, 12)]).ok).toBe(false);
  });

  it('lets a pending write take effect at any point after its call, or never', () => {
    const w = put(1, 'x', '1', 5, Infinity);
    expect(checkOperations(kvModel, [w, get(2, 'x', '1', 10, 11)]).result).toBe('ok'); // took effect
    expect(checkOperations(kvModel, [w, get(2, 'x', null, 10, 11)]).result).toBe('ok'); // not (yet)
    // took effect late: first read misses it, a later read sees it
    expect(checkOperations(kvModel, [w, get(2, 'x', null, 10, 11), get(2, 'x', '1', 1000, 1001)]).result).toBe('ok');
    // once observed it cannot be undone
    expect(checkOperations(kvModel, [w, get(2, 'x', '1', 10, 11), get(2, 'x', null, 20, 21)]).result).toBe('illegal');
    // it cannot take effect before it was issued
    expect(checkOperations(kvModel, [w, get(2, 'x', '1', 0, 4)]).result).toBe('illegal');
    // a pending write no one observed never blocks the check
    expect(
      checkOperations(kvModel, [put(1, 'x', 'z', 0, Infinity), put(2, 'x', '2', 1, 2), get(3, 'x', '2', 3, 4)]).ok,
    ).toBe(true);
  });

  it('refuses malformed operations', () => {
    const bad = { clientId: 1, input: { op: 'get', key: 'x' }, call: 0, return: 1 } as KvOp;
    expect(() => checkOperations(kvModel, [bad])).toThrow(/needs an output/);
    expect(() => checkOperations(kvModel, [get(1, 'x', null, 5, 4)])).toThrow(/before its call/);
  });

  it('agrees with an exhaustive search on random small histories, partitioned or not', () => {
    const rand = rng(7);
    let legal = 0;
    let illegal = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const n = 2 + Math.floor(rand() * 5);
      const ops: KvOp[] = [];
      for (let i = 0; i < n; i++) {
        const key = rand() < 0.7 ? 'x' : 'y';
        const call = Math.floor(rand() * 10);
        const ret = rand() < 0.15 ? Infinity : call + Math.floor(rand() * 6);
        const v = ['a', 'b'][Math.floor(rand() * 2)]!;
        const r = rand();
        if (r < 0.4) ops.push(get(i, key, rand() < 0.25 ? null : v, call, ret));
        else if (r < 0.65) ops.push(put(i, key, v, call, ret));
        else if (r < 0.8) ops.push({ ...append(i, key, v, call, ret), output: ret === Infinity ? undefined : {} });
        else {
          const input: KvInput = { op: 'cas', key, expect: rand() < 0.3 ? null : v, value: v === 'a' ? 'b' : 'a' };
          ops.push({
            clientId: i,
            input,
            call,
            return: ret,
            output: ret === Infinity ? undefined : { ok: rand() < 0.5 },
          });
        }
      }
      const expected = bruteForce(kvModel, ops);
      if (expected) legal++;
      else illegal++;
      const whole = checkOperations(kvModel, ops, { partition: false });
      const split = checkOperations(kvModel, ops);
      if (whole.ok !== expected || split.ok !== expected) {
        throw new Error(`trial ${trial}: expected ${expected}\n${formatHistory(kvModel, ops)}`);
      }
    }
    // the generator must exercise both verdicts for the comparison to mean anything
    expect(legal).toBeGreaterThan(200);
    expect(illegal).toBeGreaterThan(200);
  });

  it('checks a 10,000-operation history over many keys quickly, and catches one corrupted read in it', () => {
    const h = linearizableKvHistory(42, 10_000, 200, 40, 0.02);
    const t0 = performance.now();
    const r = checkOperations(kvModel, h);
    const ms = performance.now() - t0;
    console.log(`10k ops / 200 keys: ${ms.toFixed(0)} ms, ${r.stats.steps} steps, ${r.stats.partitions} partitions`);
    expect(r.result).toBe('ok');
    expect(ms).toBeLessThan(5000);

    // corrupt one completed read to a value no one ever wrote
    const i = h.findIndex((op, j) => j > 5000 && op.input.op === 'get' && op.return !== Infinity);
    const bad = h.map((op, j) => (j === i ? { ...op, output: { value: 'never-written' } } : op));
    const rb = checkOperations(kvModel, bad);
    expect(rb.result).toBe('illegal');
    expect(rb.partial!.history.every((op) => op.input.key === h[i]!.input.key)).toBe(true);
  });

  it('reports unknown when the time budget runs out', () => {
    // 11 concurrent appends and a read that matches no order of them: the search must try them all
    const h = Array.from({ length: 11 }, (_, i) => append(i, 'x', String.fromCharCode(97 + i), 0, 100));
    h.push(get(99, 'x', 'impossible', 0, 100));
    const r = checkOperations(kvModel, h, { timeoutMs: 100 });
    expect(r.result).toBe('unknown');
    expect(r.ok).toBe(false);
    expect(formatCheckResult(kvModel, r)).toContain('timed out');
  });
});

describe('checkOperations: versioned objects (store writes)', () => {
  const counter = versionedObjectsModel();
  const index = versionedObjectsModel({ versions: 'index' });
  const create = (c: number, id: string, out: VersionedOutput | undefined, call: number, ret: number) =>
    vop(c, { op: 'create', id }, out, call, ret);
  const update = (
    c: number,
    id: string,
    expectV: number,
    out: VersionedOutput | undefined,
    call: number,
    ret: number,
  ) => vop(c, { op: 'update', id, expect: expectV }, out, call, ret);
  const read = (c: number, id: string, out: VersionedOutput, call: number, ret: number) =>
    vop(c, { op: 'read', id }, out, call, ret);
  const ok = (version?: number): VersionedOutput => ({ status: 'ok', version });

  it('accepts concurrent updates where exactly one wins per version', () => {
    const h = [
      create(1, 'svc', ok(1), 0, 1),
      update(2, 'svc', 1, ok(2), 2, 10),
      update(3, 'svc', 1, { status: 'conflict' }, 2, 10),
      read(4, 'svc', ok(2), 11, 12),
      create(5, 'svc', { status: 'exists' }, 11, 12),
    ];
    expect(checkOperations(counter, h).result).toBe('ok');
  });

  it('rejects a lost update: two writers both accepted from the same version', () => {
    const h = [create(1, 'svc', ok(1), 0, 1), update(2, 'svc', 1, ok(), 2, 10), update(3, 'svc', 1, ok(), 2, 10)];
    const r = checkOperations(counter, h);
    expect(r.result).toBe('illegal');
    expect(formatCheckResult(counter, r)).toContain('update(svc, expect v1) → ok');
  });

  it('rejects a read that goes back to an older version after an acknowledged update', () => {
    const h = [create(1, 'n', ok(1), 0, 1), update(2, 'n', 1, ok(2), 2, 3), read(3, 'n', ok(1), 4, 5)];
    expect(checkOperations(counter, h).result).toBe('illegal');
    expect(checkOperations(counter, [...h.slice(0, 2), read(3, 'n', ok(2), 4, 5)]).result).toBe('ok');
  });

  it('rejects reading an object as absent after its create was acknowledged, but not after a delete', () => {
    const made = create(1, 'o', ok(1), 0, 1);
    expect(checkOperations(counter, [made, read(2, 'o', { status: 'absent' }, 2, 3)]).ok).toBe(false);
    const del = vop(1, { op: 'delete', id: 'o' }, { status: 'ok' }, 2, 3);
    expect(checkOperations(counter, [made, del, read(2, 'o', { status: 'absent' }, 4, 5)]).ok).toBe(true);
    expect(checkOperations(counter, [made, del, read(2, 'o', ok(1), 4, 5)]).ok).toBe(false);
  });

  it('handles a pending update both ways', () => {
    const base = [create(1, 'o', ok(1), 0, 1), update(2, 'o', 1, undefined, 2, Infinity)];
    expect(checkOperations(counter, [...base, read(3, 'o', ok(1), 5, 6)]).ok).toBe(true); // never applied
    expect(checkOperations(counter, [...base, read(3, 'o', ok(2), 5, 6)]).ok).toBe(true); // applied
    // applied later than a first read, then a concurrent-looking retry must conflict
    const retried = [...base, read(3, 'o', ok(1), 5, 6), update(3, 'o', 1, { status: 'conflict' }, 7, 8)];
    expect(checkOperations(counter, retried).ok).toBe(true);
    // a pending update cannot make version 3 appear
    expect(checkOperations(counter, [...base, read(3, 'o', ok(3), 5, 6)]).ok).toBe(false);
  });

  it('index versions: writes must produce strictly larger versions; pending writes give a lower bound', () => {
    const h = [create(1, 'o', ok(10), 0, 1), update(2, 'o', 10, ok(17), 2, 3), read(3, 'o', ok(17), 4, 5)];
    expect(checkOperations(index, h).ok).toBe(true);
    expect(checkOperations(index, [...h.slice(0, 1), update(2, 'o', 10, ok(9), 2, 3)]).ok).toBe(false);
    const pending = [create(1, 'o', ok(10), 0, 1), update(2, 'o', 10, undefined, 2, Infinity)];
    expect(checkOperations(index, [...pending, read(3, 'o', ok(23), 5, 6)]).ok).toBe(true);
    expect(checkOperations(index, [...pending, read(3, 'o', ok(23), 5, 6), update(4, 'o', 23, ok(30), 7, 8)]).ok).toBe(
      true,
    );
    // once 23 was read, 10 cannot come back
    expect(checkOperations(index, [...pending, read(3, 'o', ok(23), 5, 6), read(4, 'o', ok(10), 7, 8)]).ok).toBe(false);
  });

  for (const versions of ['counter', 'index'] as const) {
    it(`accepts store histories produced by a real linearizable store (${versions} versions)`, () => {
      const model = versionedObjectsModel({ versions });
      for (const seed of [1, 2, 3]) {
        const h = linearizableVersionedHistory(seed, 10_000, 500, 50, versions, 0.03);
        const r = checkOperations(model, h, { timeoutMs: 10_000 });
        if (!r.ok) throw new Error(formatCheckResult(model, r));
        // corrupt one completed read of an existing object to a version it never had
        const i = h.findIndex((op, j) => j > 5000 && op.input.op === 'read' && op.output?.status === 'ok');
        const bad = h.map((op, j) =>
          j === i ? { ...op, output: { status: 'ok' as const, version: 10_000_000 } } : op,
        );
        expect(checkOperations(model, bad).result).toBe('illegal');
      }
    });

    it(`agrees with an exhaustive search on random small store histories (${versions} versions)`, () => {
      const model = versionedObjectsModel({ versions });
      const rand = rng(versions === 'counter' ? 11 : 12);
      const outcomes = [0, 0];
      for (let trial = 0; trial < 1500; trial++) {
        const n = 2 + Math.floor(rand() * 5);
        const ops: VOp[] = [];
        for (let i = 0; i < n; i++) {
          const call = Math.floor(rand() * 10);
          const ret = rand() < 0.2 ? Infinity : call + Math.floor(rand() * 6);
          const v = 1 + Math.floor(rand() * 3);
          const r = rand();
          const input: VersionedInput =
            r < 0.2
              ? { op: 'create', id: 'o' }
              : r < 0.55
                ? { op: 'update', id: 'o', expect: v }
                : r < 0.9
                  ? { op: 'read', id: 'o' }
                  : { op: 'delete', id: 'o' };
          const s = rand();
          const out: VersionedOutput =
            s < 0.5
              ? {
                  status: 'ok',
                  version: input.op === 'delete' || rand() < 0.2 ? undefined : v + (rand() < 0.5 ? 1 : 0),
                }
              : s < 0.7
                ? { status: 'absent' }
                : s < 0.85
                  ? { status: 'conflict' }
                  : { status: 'exists' };
          ops.push(vop(i, input, ret === Infinity ? undefined : out, call, ret));
        }
        const expected = bruteForce(model, ops);
        outcomes[expected ? 0 : 1]!++;
        if (checkOperations(model, ops).ok !== expected) {
          throw new Error(`trial ${trial}: expected ${expected}\n${formatHistory(model, ops)}`);
        }
      }
      expect(outcomes[0]).toBeGreaterThan(50);
      expect(outcomes[1]).toBeGreaterThan(150);
    });
  }

  it('partitions by object id', () => {
    const h = [create(1, 'a', ok(1), 0, 1), create(2, 'b', ok(1), 0, 1), read(3, 'b', ok(1), 2, 3)];
    const r = checkOperations(counter, h);
    expect(r.ok).toBe(true);
    expect(r.stats.partitions).toBe(2);
  });
});

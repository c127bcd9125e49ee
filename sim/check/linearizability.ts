/**
 * Linearizability checker for recorded client histories.
 *
 * Algorithm (after porcupine, anishathalye/porcupine): the Wing & Gong search over a doubly linked list
 * of call/return events, with Lowe's memoization of (linearized-set, model-state) pairs so no
 * configuration is explored twice, and P-compositionality: when the model can split a history into
 * independent sub-histories (e.g. one per key) each one is checked on its own, which keeps the search
 * small. Two additions: candidates are tried "urgent first" (the op whose return comes first, as in
 * Lowe's just-in-time linearization), and ops the model declares read-only are placed as forced moves
 * without branching. Written from the algorithm's description; not a port.
 *
 * Pending operations (`return: Infinity`: the client crashed or timed out) may take effect at any point
 * after their call, or never; the model's `step` sees `output === undefined` for them.
 *
 * Time ties: when one operation returns at the same timestamp another is called, the two are treated
 * as concurrent (calls sort before returns), which is the lenient reading for coarse logical clocks.
 *
 * Cost: cheap when each sub-history has modest concurrency (≲10 ops in flight on one key); the search
 * is exponential in the worst case (e.g. 20 clients hammering one key with writes), and `timeoutMs`
 * then turns the answer into 'unknown' rather than hanging.
 */
import { Bitset } from './bitset';

export interface Operation<I, O> {
  clientId: number;
  input: I;
  /** Logical or real timestamp when the client issued the operation. */
  call: number;
  /** Required for completed operations; ignored (may be omitted) when `return` is Infinity. */
  output?: O;
  /** Timestamp when the client saw the result; Infinity if it never did (outcome unknown). */
  return: number;
}

export interface Model<S, I, O> {
  init(): S;
  /**
   * Apply one operation sequentially. Return `[false, state]` if `output` is impossible from `state`.
   * `output` is undefined for a pending operation: apply it as it would have run and accept. Models
   * must treat states as immutable (return a new object when something changes).
   */
  step(state: S, input: I, output: O | undefined): [ok: boolean, next: S];
  /** State equality for memoization (default: Object.is). Ignored when `hash` is given. */
  equal?(a: S, b: S): boolean;
  /** Canonical key of a state: equal keys ⇔ equal states. Preferred over `equal` when present. */
  hash?(s: S): string;
  /**
   * True if this operation, with this output (undefined = pending), never changes the state whenever
   * it is legal (a read, a failed CAS, a version conflict). Lets the search place it without
   * branching; answering false is always safe, answering true wrongly makes the checker unsound.
   */
  readOnly?(input: I, output: O | undefined): boolean;
  /** Split a history into independent sub-histories (P-compositionality), e.g. one per key. */
  partition?(history: Operation<I, O>[]): Operation<I, O>[][];
  describeOperation?(input: I, output: O | undefined): string;
  describeState?(s: S): string;
}

export type CheckResultKind = 'ok' | 'illegal' | 'unknown';

/** The deepest point the search reached in the sub-history that could not be linearized. */
export interface Counterexample<S, I, O> {
  /** The failing sub-history (one partition), as given by the model's partition function. */
  history: Operation<I, O>[];
  /** Longest linearizable prefix found, in linearization order. */
  linearized: Operation<I, O>[];
  /** `states[i]` is the model state after `linearized[i]`; `initial` is the state before the first. */
  initial: S;
  states: S[];
  /** An unlinearized operation that had already returned, so something had to be placed before it. */
  stuck: Operation<I, O>;
  /** Every operation that could have come next after the prefix; none could be placed. */
  candidates: Operation<I, O>[];
}

export interface CheckResult<S, I, O> {
  ok: boolean;
  result: CheckResultKind;
  /** Present when result is 'illegal'. */
  partial?: Counterexample<S, I, O>;
  stats: { operations: number; partitions: number; steps: number; ms: number };
}

export interface CheckOptions {
  /** Give up with result 'unknown' after this long (default: no limit). */
  timeoutMs?: number;
  /** Use the model's partition function (default true); false checks the history as one piece. */
  partition?: boolean;
}

export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  history: Operation<I, O>[],
  opts: CheckOptions = {},
): CheckResult<S, I, O> {
  const started = Date.now();
  for (const op of history) validate(op);
  const deadline = opts.timeoutMs === undefined ? Infinity : started + opts.timeoutMs;
  const parts = opts.partition !== false && model.partition ? model.partition(history) : [history];
  const stats = { operations: history.length, partitions: parts.length, steps: 0, ms: 0 };
  let timedOut = false;
  for (const part of parts) {
    if (part.length === 0) continue;
    const r = checkSingle(model, part, deadline, stats);
    if (r === 'unknown') {
      // keep going: a later partition may still prove the history illegal
      timedOut = true;
      continue;
    }
    if (r !== 'ok') {
      stats.ms = Date.now() - started;
      return { ok: false, result: 'illegal', partial: r, stats };
    }
  }
  stats.ms = Date.now() - started;
  return timedOut ? { ok: false, result: 'unknown', stats } : { ok: true, result: 'ok', stats };
}

function validate(op: Operation<unknown, unknown>): void {
  if (!Number.isFinite(op.call)) throw new Error(`operation call time must be finite: ${op.call}`);
  if (Number.isNaN(op.return) || op.return < op.call) {
    throw new Error(`operation return time ${op.return} is before its call time ${op.call}`);
  }
  if (op.return !== Infinity && op.output === undefined) {
    throw new Error('a completed operation needs an output (use return: Infinity when the outcome is unknown)');
  }
}

const HEAD = 0;
const NIL = -1;

interface CacheEntry<S> {
  bits: Bitset;
  state: S;
  key: string | undefined;
}

/** Wing & Gong search with memoization over one sub-history. */
function checkSingle<S, I, O>(
  model: Model<S, I, O>,
  ops: Operation<I, O>[],
  deadline: number,
  stats: { steps: number },
): 'ok' | 'unknown' | Counterexample<S, I, O> {
  const n = ops.length;

  // Events sorted by time; at equal times calls come first (touching operations are concurrent).
  const events: { time: number; isCall: boolean; op: number }[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    events.push({ time: op.call, isCall: true, op: i });
    if (op.return !== Infinity) events.push({ time: op.return, isCall: false, op: i });
  }
  events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);

  // Linked list in typed arrays; node 0 is the head sentinel, event k is node k + 1.
  const size = events.length + 1;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const nodeOp = new Int32Array(size);
  const isCall = new Uint8Array(size);
  const match = new Int32Array(size).fill(NIL); // call node → its return node (NIL if pending)
  const returnNode = new Int32Array(n).fill(NIL);
  const callNode = new Int32Array(n).fill(NIL);
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    nodeOp[k + 1] = e.op;
    isCall[k + 1] = e.isCall ? 1 : 0;
    if (e.isCall) callNode[e.op] = k + 1;
    else returnNode[e.op] = k + 1;
  }
  for (let node = 0; node < size; node++) {
    prev[node] = node - 1;
    next[node] = node + 1 < size ? node + 1 : NIL;
    if (node > 0 && isCall[node]) match[node] = returnNode[nodeOp[node]!]!;
  }
  nodeOp[HEAD] = NIL;

  const lift = (e: number) => {
    next[prev[e]!] = next[e]!;
    if (next[e] !== NIL) prev[next[e]!] = prev[e]!;
    const m = match[e]!;
    if (m !== NIL) {
      next[prev[m]!] = next[m]!;
      if (next[m] !== NIL) prev[next[m]!] = prev[m]!;
    }
  };
  // Exact inverse of lift; valid because lifts are undone in LIFO order.
  const unlift = (e: number) => {
    const m = match[e]!;
    if (m !== NIL) {
      next[prev[m]!] = m;
      if (next[m] !== NIL) prev[next[m]!] = m;
    }
    next[prev[e]!] = e;
    if (next[e] !== NIL) prev[next[e]!] = e;
  };

  const hashState = model.hash?.bind(model);
  const equal = model.equal?.bind(model) ?? Object.is;
  const cache = new Map<number, CacheEntry<S>[]>();
  const cacheAdd = (bits: Bitset, state: S): boolean => {
    const key = hashState?.(state);
    const h = key === undefined ? bits.hash() : (bits.hash() ^ stringHash(key)) >>> 0;
    let bucket = cache.get(h);
    if (!bucket) cache.set(h, (bucket = []));
    for (const c of bucket) {
      if (!c.bits.equals(bits)) continue;
      if (key !== undefined ? c.key === key : equal(c.state, state)) return false;
    }
    bucket.push({ bits, state, key });
    return true;
  };

  const outputs = ops.map((op) => (op.return === Infinity ? undefined : op.output));
  let remaining = ops.reduce((k, op) => k + (op.return === Infinity ? 0 : 1), 0);
  const linearized = new Bitset(n);
  const calls: number[] = []; // stack of lifted call nodes
  const before: S[] = []; // state before each lifted call
  const forced: boolean[] = []; // whether that call was a forced (read-only) move
  const urgentAt: number[] = []; // the urgent call of the level each move was made at
  const initial = model.init();
  let state = initial;
  let best: Counterexample<S, I, O> | undefined;
  let steps = 0;

  const place = (e: number, after: S, isForced: boolean) => {
    calls.push(e);
    before.push(state);
    forced.push(isForced);
    state = after;
    linearized.set(nodeOp[e]!);
    lift(e);
    if (match[e] !== NIL) remaining--;
  };
  /** Undo placements down to the newest unforced one; returns the node to resume scanning after, or NIL. */
  const backtrack = (): number => {
    for (;;) {
      const top = calls.pop();
      if (top === undefined) return NIL;
      state = before.pop()!;
      linearized.clear(nodeOp[top]!);
      unlift(top);
      if (match[top] !== NIL) remaining++;
      // a forced move was the only move worth making at its level, so that level is dead too
      if (!forced.pop()) return top;
      urgentAt.pop();
    }
  };

  // Called at a return node that blocks the search; remembers the deepest such point.
  const noteStuck = (retNode: number) => {
    if (best && best.linearized.length >= calls.length) return;
    const candidates: Operation<I, O>[] = [];
    for (let e = next[HEAD]!; e !== retNode && e !== NIL; e = next[e]!)
      if (isCall[e]) candidates.push(ops[nodeOp[e]!]!);
    best = {
      history: ops,
      linearized: calls.map((c) => ops[nodeOp[c]!]!),
      initial,
      states: calls.length > 0 ? [...before.slice(1), state] : [],
      stuck: ops[nodeOp[retNode]!]!,
      candidates,
    };
  };

  /**
   * Forced moves (an optimization over plain Wing & Gong): a candidate the model calls read-only
   * (legal ⇒ state unchanged) that is legal now can always be placed first: any linearization from here
   * can be rearranged to start with it, since its call has happened and everything that returned
   * before its call is already placed. So it is placed without alternatives, and if the search fails
   * below it this whole level fails. Returns 'dead' when that forced configuration already failed.
   */
  const readOnly = model.readOnly?.bind(model);
  const forceReadOnly = (): 'placed' | 'none' | 'dead' => {
    if (!readOnly) return 'none';
    for (let e = next[HEAD]!; e !== NIL && isCall[e]; e = next[e]!) {
      const op = nodeOp[e]!;
      if (!readOnlyOp[op]) continue;
      steps++;
      const [ok, after] = model.step(state, ops[op]!.input, outputs[op]);
      if (!ok) continue;
      if (!cacheAdd(linearized.clone().set(op), after)) return 'dead';
      place(e, after, true);
      return 'placed';
    }
    return 'none';
  };
  const readOnlyOp = readOnly ? ops.map((o, i) => readOnly(o.input, outputs[i])) : [];

  try {
    // Candidate order at each level: first the op whose return comes first ("urgent": it must be
    // placed before anything called after that return; Lowe's just-in-time order), then the other
    // candidates in call order. `entry === NIL` with `tryUrgent` means the urgent op is next.
    let tryUrgent = true;
    let entry = NIL;
    let urgent = NIL;
    let nextClockCheck = 1024;
    let fresh = true; // at a configuration whose forced moves have not been looked for yet
    const resumeAfter = (top: number) => {
      urgent = urgentAt.pop()!;
      tryUrgent = false;
      entry = top === urgent ? next[HEAD]! : next[top]!;
    };
    while (remaining > 0) {
      if (++steps >= nextClockCheck) {
        if (Date.now() > deadline) return 'unknown';
        nextClockCheck = steps + 1024;
      }
      if (fresh) {
        const f = forceReadOnly();
        if (f === 'placed') {
          urgentAt.push(NIL);
          continue;
        }
        fresh = false;
        if (f === 'none') {
          let r = next[HEAD]!;
          while (isCall[r]) r = next[r]!;
          urgent = callNode[nodeOp[r]!]!;
          tryUrgent = true;
        } else {
          const top = backtrack();
          if (top === NIL) return best ?? deadEnd(ops, initial);
          resumeAfter(top);
        }
        continue;
      }
      let cand: number;
      if (tryUrgent) {
        cand = urgent;
        tryUrgent = false;
        entry = next[HEAD]!;
      } else {
        if (entry === NIL) throw new Error('linearizability search ran off the event list');
        if (!isCall[entry]) {
          // An unlinearized op has returned and nothing placeable is left before it: backtrack.
          noteStuck(entry);
          const top = backtrack();
          if (top === NIL) return best!;
          resumeAfter(top);
          continue;
        }
        cand = entry;
        entry = next[entry]!;
        if (cand === urgent) continue;
      }
      const op = nodeOp[cand]!;
      const [ok, after] = model.step(state, ops[op]!.input, outputs[op]);
      if (ok && cacheAdd(linearized.clone().set(op), after)) {
        place(cand, after, false);
        urgentAt.push(urgent);
        fresh = true;
      }
    }
    return 'ok';
  } finally {
    stats.steps += steps;
  }
}

/** Fallback counterexample (not expected to be needed: a failing search always stops at a return). */
function deadEnd<S, I, O>(ops: Operation<I, O>[], initial: S): Counterexample<S, I, O> {
  const first = ops.find((op) => op.return !== Infinity) ?? ops[0]!;
  return { history: ops, linearized: [], initial, states: [], stuck: first, candidates: [] };
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---- readable output for simulation failures ----

function fmtTime(t: number): string {
  return t === Infinity ? '∞' : String(t);
}

export function formatOperation<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>): string {
  const pending = op.return === Infinity;
  const output = pending ? undefined : op.output;
  const text = model.describeOperation
    ? model.describeOperation(op.input, output)
    : `${JSON.stringify(op.input)} → ${pending ? '?' : JSON.stringify(output)}`;
  return `client ${op.clientId} [${fmtTime(op.call)}, ${fmtTime(op.return)}${pending ? ')' : ']'} ${text}`;
}

function fmtState<S, I, O>(model: Model<S, I, O>, s: S): string {
  return model.describeState ? model.describeState(s) : JSON.stringify(s);
}

/** One line per operation, ordered by call time; operations in `mark` get a `>>` prefix. */
export function formatHistory<S, I, O>(
  model: Model<S, I, O>,
  history: Operation<I, O>[],
  opts: { mark?: ReadonlySet<Operation<I, O>>; maxLines?: number } = {},
): string {
  const sorted = [...history].sort((a, b) => a.call - b.call || a.return - b.return);
  const max = opts.maxLines ?? 200;
  const lines = sorted.slice(0, max).map((op) => `${opts.mark?.has(op) ? '>> ' : '   '}${formatOperation(model, op)}`);
  if (sorted.length > max) lines.push(`   ... ${sorted.length - max} more`);
  return lines.join('\n');
}

/** A readable verdict; for 'illegal' it walks through the longest linearizable prefix and where it stuck. */
export function formatCheckResult<S, I, O>(
  model: Model<S, I, O>,
  result: CheckResult<S, I, O>,
  opts: { maxPrefix?: number; maxLines?: number } = {},
): string {
  const { operations, partitions, steps, ms } = result.stats;
  const summary = `${operations} operations, ${partitions} partition(s), ${steps} search steps, ${ms} ms`;
  if (result.result === 'ok') return `linearizable (${summary})`;
  if (result.result === 'unknown') return `linearizability unknown: check timed out (${summary})`;
  const p = result.partial!;
  const maxPrefix = opts.maxPrefix ?? 40;
  const out = [`NOT linearizable (${summary})`];
  out.push(`Longest linearizable prefix (${p.linearized.length} of ${p.history.length} ops in this sub-history):`);
  const skip = Math.max(0, p.linearized.length - maxPrefix);
  out.push(`  initial state: ${fmtState(model, skip > 0 ? p.states[skip - 1]! : p.initial)}`);
  if (skip > 0) out.push(`  ... ${skip} earlier operations`);
  for (let i = skip; i < p.linearized.length; i++) {
    out.push(`  ${i + 1}. ${formatOperation(model, p.linearized[i]!)}   ⇒ ${fmtState(model, p.states[i]!)}`);
  }
  out.push(`Stuck: this operation had returned but could not be linearized next:`);
  out.push(`  ${formatOperation(model, p.stuck)}`);
  out.push(`Candidates after the prefix (each was illegal here or led only to dead ends):`);
  for (const c of p.candidates) out.push(`  ${formatOperation(model, c)}`);
  out.push(`Sub-history (>> = not in the prefix):`);
  const inPrefix = new Set(p.linearized);
  const mark = new Set(p.history.filter((op) => !inPrefix.has(op)));
  out.push(formatHistory(model, p.history, { mark, maxLines: opts.maxLines }));
  return out.join('\n');
}

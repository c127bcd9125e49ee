/**
 * Sequential specifications for the linearizability checker. States are small immutable records
 * keyed by key/object id, so the same model is correct with or without partitioning; partitioning by
 * key is what keeps large histories cheap.
 */
import type { Model, Operation } from './linearizability';

function partitionBy<I, O>(history: Operation<I, O>[], keyOf: (input: I) => string): Operation<I, O>[][] {
  const parts = new Map<string, Operation<I, O>[]>();
  for (const op of history) {
    const k = keyOf(op.input);
    let part = parts.get(k);
    if (!part) parts.set(k, (part = []));
    part.push(op);
  }
  return [...parts.values()];
}

function canonical(record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}

// ---- key-value register map ----

export type KvInput =
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: string }
  | { op: 'append'; key: string; value: string }
  /** Compare-and-set: write `value` iff the current value is `expect` (null = key absent). */
  | { op: 'cas'; key: string; expect: string | null; value: string };

/** get → `{ value }` (null when absent); cas → `{ ok }`; put/append → `{}`. */
export interface KvOutput {
  value?: string | null;
  ok?: boolean;
}

export type KvState = Readonly<Record<string, string>>;

function kvWrite(state: KvState, key: string, value: string): KvState {
  return { ...state, [key]: value };
}

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => ({}),
  step(state, input, output) {
    const cur = Object.hasOwn(state, input.key) ? state[input.key]! : null;
    switch (input.op) {
      case 'get':
        return [output === undefined || output.value === cur, state];
      case 'put':
        return [true, kvWrite(state, input.key, input.value)];
      case 'append':
        return [true, kvWrite(state, input.key, (cur ?? '') + input.value)];
      case 'cas': {
        const swapped = cur === input.expect;
        if (output !== undefined && output.ok !== swapped) return [false, state];
        return [true, swapped ? kvWrite(state, input.key, input.value) : state];
      }
    }
  },
  readOnly: (input, output) => input.op === 'get' || (input.op === 'cas' && output?.ok === false),
  hash: canonical,
  partition: (history) => partitionBy(history, (input) => input.key),
  describeOperation(input, output) {
    const q = (v: string | null | undefined) => (v === undefined ? '?' : JSON.stringify(v));
    const pending = output === undefined;
    switch (input.op) {
      case 'get':
        return `get(${input.key}) → ${pending ? '?' : q(output.value)}`;
      case 'put':
        return `put(${input.key}, ${q(input.value)})${pending ? ' → ?' : ''}`;
      case 'append':
        return `append(${input.key}, ${q(input.value)})${pending ? ' → ?' : ''}`;
      case 'cas':
        return `cas(${input.key}, ${q(input.expect)} → ${q(input.value)}) → ${pending ? '?' : output.ok ? 'ok' : 'failed'}`;
    }
  },
  describeState: (s) => (Object.keys(s).length === 0 ? '{}' : canonical(s)),
};

// ---- versioned objects (cluster store writes) ----

/**
 * Store writes as the control loops see them: objects carry a version, an update names the version it
 * read and is rejected with a conflict if the object moved on.
 */
export type VersionedInput =
  | { op: 'create'; id: string }
  | { op: 'update'; id: string; expect: number }
  | { op: 'delete'; id: string }
  | { op: 'read'; id: string };

/**
 * `ok` carries the version an accepted create/update produced (optional) or the version a read saw.
 * `exists`: create of an existing id; `conflict`: update with a stale version; `absent`: no such object.
 */
export type VersionedOutput =
  { status: 'ok'; version?: number } | { status: 'exists' } | { status: 'conflict' } | { status: 'absent' };

/**
 * One object. When `exact`, `version` is its current version (or last version, if deleted). When not,
 * the version is some number greater than `version`: an index-stamped write whose outcome was not seen.
 */
export interface VersionedObject {
  exists: boolean;
  version: number;
  exact: boolean;
}

export type VersionedState = Readonly<Record<string, VersionedObject>>;

export interface VersionedModelOptions {
  /**
   * 'counter' (default): create gives version 1 and every accepted update adds 1.
   * 'index': versions are store/raft indexes: each write gets some larger number, learnt from the
   * output. A pending write's version is unknown; the model then only tracks a lower bound, which is a
   * sound over-approximation (it may miss a violation around that write, never invents one).
   */
  versions?: 'counter' | 'index';
}

const ABSENT: VersionedObject = { exists: false, version: 0, exact: true };

export function versionedObjectsModel(
  opts: VersionedModelOptions = {},
): Model<VersionedState, VersionedInput, VersionedOutput> {
  const counter = (opts.versions ?? 'counter') === 'counter';

  /** State after an accepted write whose previous version was `from`, given the output's version. */
  const written = (from: number, out: VersionedOutput | undefined, created: boolean): VersionedObject | null => {
    const reported = out?.status === 'ok' ? out.version : undefined;
    if (counter) {
      const v = created ? 1 : from + 1;
      return reported === undefined || reported === v ? { exists: true, version: v, exact: true } : null;
    }
    if (reported === undefined) return { exists: true, version: from, exact: false };
    return reported > from ? { exists: true, version: reported, exact: true } : null;
  };

  return {
    init: () => ({}),
    step(state, input, out) {
      const cur = state[input.id] ?? ABSENT;
      const set = (obj: VersionedObject): [boolean, VersionedState] => [true, { ...state, [input.id]: obj }];
      const same: [boolean, VersionedState] = [true, state];
      const bad: [boolean, VersionedState] = [false, state];
      switch (input.op) {
        case 'create': {
          if (out === undefined) {
            if (cur.exists) return same;
            return set(written(cur.version, undefined, true)!);
          }
          if (out.status === 'exists') return cur.exists ? same : bad;
          if (out.status !== 'ok' || cur.exists) return bad;
          const obj = written(cur.version, out, true);
          return obj ? set(obj) : bad;
        }
        case 'update': {
          const e = input.expect;
          const surely = cur.exists && cur.exact && cur.version === e;
          const maybe = cur.exists && (cur.exact ? cur.version === e : e > cur.version);
          if (out === undefined) {
            if (surely) return set(written(e, undefined, false)!);
            // either outcome is possible only for an inexact version; "some version > cur" covers both
            return same;
          }
          switch (out.status) {
            case 'ok': {
              if (!maybe) return bad;
              const obj = written(e, out, false);
              return obj ? set(obj) : bad;
            }
            case 'conflict':
              return cur.exists && !surely ? same : bad;
            case 'absent':
              return cur.exists ? bad : same;
            default:
              return bad;
          }
        }
        case 'delete': {
          if (out === undefined) return cur.exists ? set({ ...cur, exists: false }) : same;
          if (out.status === 'ok') return cur.exists ? set({ ...cur, exists: false }) : bad;
          if (out.status === 'absent') return cur.exists ? bad : same;
          return bad;
        }
        case 'read': {
          if (out === undefined) return same;
          if (out.status === 'absent') return cur.exists ? bad : same;
          if (out.status !== 'ok' || !cur.exists) return bad;
          const v = out.version;
          if (v === undefined) return same;
          if (cur.exact) return v === cur.version ? same : bad;
          return v > cur.version ? set({ exists: true, version: v, exact: true }) : bad;
        }
      }
    },
    readOnly(input, out) {
      // with index versions a read can narrow an unknown version, so it is not state-preserving there
      if (input.op === 'read') return counter || out?.status === 'absent';
      return out !== undefined && out.status !== 'ok';
    },
    hash: canonical,
    partition: (history) => partitionBy(history, (input) => input.id),
    describeOperation(input, out) {
      const result =
        out === undefined
          ? '?'
          : out.status === 'ok'
            ? out.version === undefined
              ? 'ok'
              : `ok v${out.version}`
            : out.status;
      const args = input.op === 'update' ? `${input.id}, expect v${input.expect}` : input.id;
      return `${input.op}(${args}) → ${result}`;
    },
    describeState(s) {
      const ids = Object.keys(s).sort();
      if (ids.length === 0) return '{}';
      return ids
        .map((id) => {
          const o = s[id]!;
          const v = o.exact ? `v${o.version}` : `v>${o.version}`;
          return `${id}: ${o.exists ? v : `absent (last ${v})`}`;
        })
        .join(', ');
    },
  };
}

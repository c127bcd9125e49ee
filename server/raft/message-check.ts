// What a raft message from the network must look like before the core sees
// it. The core trusts its input (terms, indexes and IDs drive elections and
// truncation), so a message of the wrong shape is dropped here: never thrown
// on, never half-applied. Hand-written rather than a zod schema: heartbeats
// and appends are the hottest path of the cluster port.

import { CLUSTER_ADDR_PATTERN, isNodeID } from '../api/node-id';
import { MAX_LISTED_MEMBERS, type WireMessage } from './member-hints';

type Fields = Record<string, unknown>;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Per message type: the fields beyond from/to/term, as a check returning the bad field's name. */
const SHAPES: Record<WireMessage['type'], (m: Fields) => string | undefined> = {
  app: (m) =>
    !isCount(m.index)
      ? 'index'
      : !isCount(m.logTerm)
        ? 'logTerm'
        : !isCount(m.commit)
          ? 'commit'
          : entriesProblem(m.entries),
  'app-resp': (m) =>
    !isCount(m.index)
      ? 'index'
      : !isBool(m.reject)
        ? 'reject'
        : !isCount(m.rejectHint)
          ? 'rejectHint'
          : !isCount(m.logTerm)
            ? 'logTerm'
            : undefined,
  vote: (m) => voteProblem(m),
  'pre-vote': (m) => voteProblem(m),
  'vote-resp': (m) => (isBool(m.reject) ? undefined : 'reject'),
  'pre-vote-resp': (m) => (isBool(m.reject) ? undefined : 'reject'),
  heartbeat: (m) => (!isCount(m.commit) ? 'commit' : !isStr(m.context) ? 'context' : undefined),
  'heartbeat-resp': (m) => (isStr(m.context) ? undefined : 'context'),
  snap: (m) =>
    snapshotMetaProblem(m.meta) ??
    (!isCount(m.offset)
      ? 'offset'
      : !isStr(m.chunk)
        ? 'chunk'
        : !isCount(m.total)
          ? 'total'
          : !isBool(m.done)
            ? 'done'
            : undefined),
  'snap-resp': (m) => (!isCount(m.index) ? 'index' : !isCount(m.offset) ? 'offset' : undefined),
  'timeout-now': () => undefined,
  'read-index': (m) => (isStr(m.context) ? undefined : 'context'),
  'read-index-resp': (m) => (!isStr(m.context) ? 'context' : !isCount(m.index) ? 'index' : undefined),
  'member-query': () => undefined,
  'member-list': (m) => memberListProblem(m.members),
};

function memberListProblem(members: unknown): string | undefined {
  if (typeof members !== 'object' || members === null || Array.isArray(members)) return 'members';
  const list = Object.entries(members);
  if (list.length > MAX_LISTED_MEMBERS) return 'members: too many';
  for (const [id, addr] of list) {
    if (!isNodeID(id) || typeof addr !== 'string' || !CLUSTER_ADDR_PATTERN.test(addr)) return `members.${id}`;
  }
  return undefined;
}

function voteProblem(m: Fields): string | undefined {
  if (!isCount(m.index)) return 'index';
  if (!isCount(m.logTerm)) return 'logTerm';
  return isBool(m.transfer) ? undefined : 'transfer';
}

function entriesProblem(entries: unknown): string | undefined {
  if (!Array.isArray(entries)) return 'entries';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Fields | null;
    if (typeof e !== 'object' || e === null) return `entries[${i}]`;
    if (!isCount(e.index) || !isCount(e.term)) return `entries[${i}].index/term`;
    if (e.type !== 'normal' && e.type !== 'conf-change') return `entries[${i}].type`;
    if (!isStr(e.data)) return `entries[${i}].data`;
  }
  return undefined;
}

const isIdList = (v: unknown): boolean => Array.isArray(v) && v.every(isNodeID);

function snapshotMetaProblem(meta: unknown): string | undefined {
  const m = meta as Fields | null;
  if (typeof m !== 'object' || m === null) return 'meta';
  if (!isCount(m.index) || !isCount(m.term)) return 'meta.index/term';
  const conf = m.conf as Fields | null;
  if (typeof conf !== 'object' || conf === null) return 'meta.conf';
  if (!isIdList(conf.voters) || !isIdList(conf.learners)) return 'meta.conf.voters/learners';
  if (conf.removed !== undefined && !isIdList(conf.removed)) return 'meta.conf.removed';
  return undefined;
}

/**
 * Why `m`, received from the node `sender` authenticated as, cannot go to the core (or, a member hint, to the
 * shell); undefined: it can.
 * `from` must be the sender itself: a member speaks only for itself.
 */
export function raftMessageProblem(m: unknown, sender: string): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not an object';
  const f = m as Fields;
  const shape =
    typeof f.type === 'string' && Object.hasOwn(SHAPES, f.type) ? SHAPES[f.type as WireMessage['type']] : undefined;
  if (!shape) return 'unknown type';
  if (!isNodeID(f.from)) return 'from';
  if (f.from !== sender) return `from ${f.from} is not the sender ${sender}`;
  if (!isNodeID(f.to)) return 'to';
  if (!isCount(f.term)) return 'term';
  const bad = shape(f);
  return bad === undefined ? undefined : `${f.type}: ${bad}`;
}

// Placement constraints (`node.labels.zone==eu`), as swarmkit parses and
// matches them (manager/constraint/constraint.go): the grammar is shared with
// the API's schemas (server/api/constraint.ts); matching is whole-value and
// case-insensitive, a missing value reads as "".

import { rpcError } from '../../api/errors';
import { parseConstraint, type Constraint } from '../../api/constraint';
import type { Node } from '../../api/types';

export { parseConstraint, type Constraint, type ConstraintOp } from '../../api/constraint';

const NODE_LABEL_PREFIX = 'node.labels.';
const ENGINE_LABEL_PREFIX = 'engine.labels.';

/**
 * Parse a service's Placement.Constraints. Throws the InvalidArgument error
 * the control API returns at service create/update.
 */
export function parseConstraints(list: readonly string[] | undefined): Constraint[] {
  const out: Constraint[] = [];
  for (const expr of list ?? []) {
    const c = parseConstraint(expr);
    if (typeof c === 'string') throw rpcError('InvalidArgument', c);
    out.push(c);
  }
  return out;
}

/** Like parseConstraints but reports failure as undefined (the scheduler disables the filter then). */
export function tryParseConstraints(list: readonly string[] | undefined): Constraint[] | undefined {
  const out: Constraint[] = [];
  for (const expr of list ?? []) {
    const c = parseConstraint(expr);
    if (typeof c === 'string') return undefined;
    out.push(c);
  }
  return out;
}

function matchValue(c: Constraint, what: string): boolean {
  const equal = c.exp.toLowerCase() === what.toLowerCase();
  return c.op === '==' ? equal : !equal;
}

function hasPrefixFold(key: string, prefix: string): boolean {
  return key.length > prefix.length && key.slice(0, prefix.length).toLowerCase() === prefix;
}

/** All constraints are ANDed; an unknown key never matches. */
export function matchesConstraints(constraints: readonly Constraint[], node: Node): boolean {
  for (const c of constraints) if (!matchesConstraint(c, node)) return false;
  return true;
}

export function matchesConstraint(c: Constraint, node: Node): boolean {
  const key = c.key.toLowerCase();
  const d = node.Description as Node['Description'] | undefined;
  switch (key) {
    case 'node.id':
      return matchValue(c, node.ID);
    case 'node.hostname':
      return matchValue(c, d?.Hostname ?? '');
    case 'node.ip':
      return matchIP(c, node.Status?.Addr ?? '');
    case 'node.role':
      return matchValue(c, node.Role ?? '');
    case 'node.platform.os':
      return matchValue(c, d?.Platform?.OS ?? '');
    case 'node.platform.arch':
      return matchValue(c, d?.Platform?.Architecture ?? '');
  }
  // label keys stay case-sensitive; only the prefix folds
  if (hasPrefixFold(c.key, NODE_LABEL_PREFIX)) {
    return matchValue(c, node.Spec?.Labels?.[c.key.slice(NODE_LABEL_PREFIX.length)] ?? '');
  }
  if (hasPrefixFold(c.key, ENGINE_LABEL_PREFIX)) {
    return matchValue(c, d?.Engine?.Labels?.[c.key.slice(ENGINE_LABEL_PREFIX.length)] ?? '');
  }
  return false;
}

/** node.ip takes a single address (equality) or a CIDR (membership); anything else fails. */
function matchIP(c: Constraint, addr: string): boolean {
  const nodeIP = parseIP(addr);
  const single = parseIP(c.exp);
  if (single) {
    const eq = nodeIP !== undefined && sameBytes(single.bytes, nodeIP.bytes);
    return c.op === '==' ? eq : !eq;
  }
  const net = parseCIDR(c.exp);
  if (net) {
    const within = nodeIP !== undefined && cidrContains(net, nodeIP);
    return c.op === '==' ? within : !within;
  }
  return false;
}

// ---------- minimal IP parsing, following Go's net.ParseIP / ParseCIDR ----------

/** 16-byte form; v4 addresses are stored v4-mapped, as Go does. */
export interface IP {
  bytes: number[];
  v4: boolean;
}

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  let tail: number[] = [];
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    body = s.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      const n = parseInt(g, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const have = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (have > 14) return undefined;
    return [...head, ...new Array<number>(16 - have).fill(0), ...rest, ...tail];
  }
  return have === 16 ? [...head, ...tail] : undefined;
}

export function parseIP(s: string): IP | undefined {
  if (s.includes(':')) {
    const b = parseV6(s);
    if (!b) return undefined;
    const mapped = V4_MAPPED.every((x, i) => b[i] === x);
    return { bytes: b, v4: mapped };
  }
  const v4 = parseV4(s);
  return v4 ? { bytes: [...V4_MAPPED, ...v4], v4: true } : undefined;
}

interface CIDR {
  /** written as v4 (Go keeps a 4-byte network then) */
  v4: boolean;
  bytes: number[];
  bits: number;
}

function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = !addr.includes(':');
  const ip = parseIP(addr);
  if (!ip) return undefined;
  const bits = Number(bitsText);
  if (bits > (v4 ? 32 : 128)) return undefined;
  return { v4, bytes: ip.bytes, bits: v4 ? bits + 96 : bits };
}

function cidrContains(net: CIDR, ip: IP): boolean {
  // Go compares lengths after To4(): a v4 address only fits a v4 network
  if (net.v4 !== ip.v4) return false;
  for (let bit = 0; bit < net.bits; bit += 8) {
    const i = bit / 8;
    const n = Math.min(8, net.bits - bit);
    const mask = (0xff << (8 - n)) & 0xff;
    if (((net.bytes[i] ?? 0) & mask) !== ((ip.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

function sameBytes(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

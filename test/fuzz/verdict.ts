// What an answer must look like, whatever was asked: no 5xx (bar the few
// dockerd answers with 503 by design), an answer at all, Docker-shaped
// errors on the Engine API, JSON errors on the console API, and 2xx JSON
// that parses.

import type { Outcome } from './http-client';
import type { FuzzRequest } from './request';

export type FailureKind = '5xx' | 'no-answer' | 'dropped' | 'error-shape' | 'bad-json';

export interface Verdict {
  kind: FailureKind;
  /** Status and message with IDs and numbers folded, so the same cause groups together. */
  cause: string;
}

/**
 * dockerd answers these with 503 by design (swarm init/join on a node already in a swarm,
 * leave on a manager without --force): Docker's API documents them, so they are not failures.
 */
const DOCKERD_503 = [
  /^This node is already part of a swarm\./,
  /^You are attempting to leave the swarm on a node that is participating as a manager\./,
];

/** The `message` of a JSON error body, if that is what the body is. */
export function jsonMessage(o: Outcome): string | undefined {
  try {
    const j = JSON.parse(o.body.toString('utf8')) as { message?: unknown } | null;
    return typeof j?.message === 'string' ? j.message : undefined;
  } catch {
    return undefined;
  }
}

export function messageOf(o: Outcome): string {
  return jsonMessage(o) ?? o.body.toString('utf8').slice(0, 300);
}

/** IDs, numbers and long quoted values folded: "service <id> not found", "Unexpected token <s>". */
export function foldMessage(m: string): string {
  return m
    .replace(/\b[a-z0-9]{25}\b/g, '<id>')
    .replace(/"[^"]{20,}"/g, '"<s>"')
    .replace(/'[^']{20,}'/g, "'<s>'")
    .replace(/\d+(\.\d+)?/g, '<n>')
    .slice(0, 160);
}

/** What node's HTTP server answers by itself: malformed requests, too large heads, a bad Expect. */
const NODE_REFUSALS = [400, 413, 414, 417, 431, 505];

function isJsonContentType(ct: string | undefined): boolean {
  return !!ct && /^application\/json\b/i.test(ct);
}

/** A request whose body is over a megabyte: the server may answer and close before it has read it all. */
export function isOversized(bodyBytes: number): boolean {
  return bodyBytes > 1024 * 1024;
}

/**
 * The failure in this answer, if any. `appAnswered`: the response carries the
 * Engine API's own headers (not node's parser refusing a malformed request).
 */
export function judge(r: FuzzRequest, o: Outcome, bodyBytes: number): Verdict | undefined {
  if (o.status === undefined) {
    if (o.error === 'timeout') {
      // a GET on a live polling session is a long poll: engine.io holds it until it has something
      // to send or the next ping (25 s), so waiting past our 3 s is the protocol, not a hang
      if (r.socket && r.method === 'GET' && /[?&]transport=polling\b/.test(r.path) && /[?&]sid=/.test(r.path))
        return undefined;
      return { kind: 'no-answer', cause: `no answer within the timeout` };
    }
    // node closes on requests it cannot parse (CONNECT without a handler, broken framing), and
    // a server may hang up on a body it will not read
    if (r.raw || r.socket || isOversized(bodyBytes)) return undefined;
    return { kind: 'dropped', cause: `connection closed without an answer (${o.error})` };
  }
  const message = messageOf(o);
  if (o.status >= 500) {
    if (o.status === 503 && r.port === 'engine' && DOCKERD_503.some((re) => re.test(message))) return undefined;
    return { kind: '5xx', cause: `${o.status} ${foldMessage(message)}` };
  }
  const ct = o.headers['content-type'];
  if (o.status >= 400) {
    // node's own HTTP parser refuses some requests before any handler sees them (no body, no type)
    if (!ct && o.body.length === 0 && NODE_REFUSALS.includes(o.status)) return undefined;
    if (r.socket || r.method === 'HEAD') return undefined;
    if (r.port === 'engine' && o.headers['api-version']) {
      if (ct !== 'application/json')
        return { kind: 'error-shape', cause: `${o.status} with Content-Type ${ct ?? '(none)'}` };
      if (jsonMessage(o) === undefined) return { kind: 'error-shape', cause: `${o.status} without a JSON {"message"}` };
    }
    const path = r.path.split('?')[0]!;
    if (r.port === 'console' && !r.raw && (path === '/api' || path.startsWith('/api/'))) {
      // the console API answers JSON; Next answers the pages (and paths it normalises away from /api)
      if (!isJsonContentType(ct))
        return { kind: 'error-shape', cause: `console ${o.status} with Content-Type ${ct ?? '(none)'}` };
    }
    return undefined;
  }
  if (
    o.status >= 200 &&
    o.status < 300 &&
    isJsonContentType(ct) &&
    !r.streaming &&
    r.method !== 'HEAD' &&
    o.body.length > 0
  ) {
    try {
      JSON.parse(o.body.toString('utf8'));
    } catch {
      return { kind: 'bad-json', cause: `${o.status} application/json that does not parse` };
    }
  }
  return undefined;
}

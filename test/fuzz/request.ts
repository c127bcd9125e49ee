// One generated request, as sent and as saved: plain data, so a failure can
// be written to a file and sent again byte for byte.

import { describe, render, revive, type Json } from './json-tree';
import type { Port } from './routes';

export type Category = 'valid' | 'body' | 'structure' | 'url' | 'method' | 'headers' | 'query' | 'raw';

export const CATEGORIES: readonly Category[] = [
  'valid',
  'body',
  'structure',
  'url',
  'method',
  'headers',
  'query',
  'raw',
];

/** A body as JSON (maybe with Raw/Bulk leaves), as text, or as bytes (invalid UTF-8 and other encodings). */
export type BodySpec = { json: Json } | { text: string } | { base64: string };

export interface FuzzRequest {
  /** Which generator stream and position: (seed, stream, index) regenerates it. */
  stream: string;
  index: number;
  route: string;
  port: Port;
  category: Category;
  /** What was done to the valid request, for reports. */
  label: string;
  /** Grouping keys, e.g. the mutation family; a failure is reported per family. */
  families: string[];
  method: string;
  /** The request target. May hold {{placeholders}} resolved at send time. */
  path: string;
  /** In order; a name may repeat. */
  headers: [string, string][];
  body?: BodySpec;
  /** Send over a plain socket: `head` is then the whole request head, without the final blank line. */
  raw?: { head: string };
  /** Stop reading after the response head (log streams). */
  streaming?: boolean;
  /** The fuzzer's service this request refers to, so a replay can create it first. */
  service?: string;
  /** Kind of socket.io transport step (see socketio.ts). */
  socket?: 'open' | 'post' | 'poll' | 'upgrade';
  /** For socket.io upgrades: WebSocket frames to send after the handshake (base64 each). */
  frames?: string[];
}

export function bodyBytes(body: BodySpec | undefined): Buffer | undefined {
  if (!body) return undefined;
  if ('json' in body) return Buffer.from(render(body.json), 'utf8');
  if ('text' in body) return Buffer.from(body.text, 'utf8');
  return Buffer.from(body.base64, 'base64');
}

/** Plain JSON of a request for files (Raw and Bulk leaves described, not expanded). */
export function requestToFile(r: FuzzRequest): unknown {
  return { ...r, body: r.body && 'json' in r.body ? { json: describe(r.body.json) } : r.body };
}

export function requestFromFile(v: unknown): FuzzRequest {
  const r = v as FuzzRequest & { body?: { json?: unknown } };
  if (r.body && 'json' in r.body) return { ...r, body: { json: revive(r.body.json) } };
  return r;
}

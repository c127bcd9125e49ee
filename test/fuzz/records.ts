// What the fuzzer keeps about each request and each failure, in the shape
// it is written to .tmp/fuzz/<run>/ (plain JSON, replayable).

import type { Outcome, Wire } from './http-client';
import { requestToFile, type FuzzRequest } from './request';
import type { FailureKind } from './verdict';

export interface JournalEntry {
  req: FuzzRequest;
  /** The resolved request target, as sent. */
  target: string;
  bodyBytes: number;
  start: number;
  end?: number;
  status?: number;
  error?: string;
  /** Lost because the manager died while it was in flight. */
  lost?: boolean;
}

export interface SentRecord {
  port: number;
  method: string;
  target: string;
  headers: [string, string][];
  /** The body as UTF-8 text when it is short and valid UTF-8, else its size and base64 of its start. */
  body?: string;
  bodyBase64?: string;
  bodyBytes: number;
  rawHead?: string;
}

export interface AnswerRecord {
  status?: number;
  error?: string;
  ms: number;
  contentType?: string;
  body: string;
}

export interface Failure {
  id: number;
  phase: string;
  kind: FailureKind | 'crash';
  cause: string;
  /** Grouping key: phase, kind, route and cause. */
  group: string;
  /** Where the request came from, so a single one can be generated again. */
  seed: number;
  request: FuzzRequest;
  sent?: SentRecord;
  answer?: AnswerRecord;
  /** For support requests: what was being looked up. */
  support?: string;
  at: number;
}

const SHORT = 64 * 1024;

export function sentRecord(w: Wire): SentRecord {
  const body = w.body;
  const rec: SentRecord = {
    port: w.port,
    method: w.method,
    target: w.target,
    headers: w.headers,
    bodyBytes: body?.length ?? 0,
    rawHead: w.rawHead,
  };
  if (body && body.length <= SHORT) {
    const text = body.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(body)) rec.body = text;
    else rec.bodyBase64 = body.toString('base64');
  } else if (body) rec.bodyBase64 = body.subarray(0, 1024).toString('base64');
  return rec;
}

export function answerRecord(o: Outcome): AnswerRecord {
  return {
    status: o.status,
    error: o.error,
    ms: Math.round(o.ms),
    contentType: o.headers['content-type'],
    body: o.body.subarray(0, 4_000).toString('utf8'),
  };
}

export function failureToFile(f: Failure): unknown {
  return { ...f, request: requestToFile(f.request) };
}

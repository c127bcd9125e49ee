// Sending one saved failure again, on a fresh manager (with its console if
// the request is for the console port), after the setup it needs: does it
// still fail the same way?

import { readFileSync } from 'node:fs';
import { deathWait } from './crash';
import type { Outcome } from './http-client';
import { revive } from './json-tree';
import type { Failure } from './records';
import { bodyBytes, requestFromFile, type FuzzRequest } from './request';
import { startTarget } from './target';
import { sendAll } from './trial';
import { judge } from './verdict';

export interface ReplayResult {
  reproduced: boolean;
  text: string;
}

export function describeOutcome(o: Outcome | undefined): string {
  if (!o) return 'not sent (the manager was gone)';
  if (o.status === undefined) return `no answer: ${o.error} after ${o.ms.toFixed(0)} ms`;
  return `${o.status} ${o.headers['content-type'] ?? ''} ${o.body.subarray(0, 500).toString('utf8')}`;
}

export async function replayRequest(
  r: FuzzRequest,
  seed: number,
  kind: Failure['kind'],
  heapMb: number,
): Promise<ReplayResult> {
  const t = await startTarget({ console: r.port === 'console', heapMb });
  try {
    const [o] = await sendAll(t, [r], seed);
    await Promise.race([
      t.server.exited,
      new Promise((res) => setTimeout(res, kind === 'crash' ? deathWait(t.server.output()) + 10_000 : 2_000)),
    ]);
    const alive = t.server.alive();
    const v = o ? judge(r, o, 0) : undefined;
    const reproduced = kind === 'crash' ? !alive : v?.kind === kind;
    const body = bodyBytes(r.body);
    const lines = [
      `request: ${r.method} ${r.path} [${r.category}: ${r.label}]`,
      ...(body
        ? [`body (${body.length} bytes): ${body.subarray(0, 400).toString('utf8')}${body.length > 400 ? '…' : ''}`]
        : []),
      `answer: ${describeOutcome(o)}`,
      `manager: ${alive ? 'alive' : `died (${t.exitText})\n${t.server.output().slice(-2_000)}`}`,
      `verdict: ${v ? `${v.kind}: ${v.cause}` : 'fine'}`,
      reproduced ? `REPRODUCED (${kind})` : `not reproduced (was ${kind})`,
    ];
    return { reproduced, text: lines.join('\n') };
  } finally {
    await t.dispose();
  }
}

/** Replay a failure file written by report.ts; `minimised` sends the minimised body instead. */
export async function replayFile(file: string, opts: { heapMb: number; minimised?: boolean }): Promise<ReplayResult> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    seed: number;
    kind: Failure['kind'];
    request: unknown;
    minimisedBody?: unknown;
  };
  let r = requestFromFile(saved.request);
  if (opts.minimised && saved.minimisedBody !== undefined) r = { ...r, body: { json: revive(saved.minimisedBody) } };
  return replayRequest(r, saved.seed, saved.kind, opts.heapMb);
}

// HTTP helpers for talking to a manager process from tests and benchmarks:
// its cluster-port health (raft state) and its Engine API.

import { request } from 'node:https';

export interface RaftHealth {
  id: string;
  role: string;
  leader: string;
  leaderReady: boolean;
  term: number;
  commit: number;
  applied: number;
  voters: string[];
  learners: string[];
  snapshotIndex: number;
  snapshotsInstalled: number;
}

/** GET `path` on a cluster port (TLS; health needs no certificate, so none is checked either). */
export function clusterPortGet(
  clusterAddr: string,
  path: string,
  timeoutMs = 1_000,
): Promise<{ status: number; body: string }> {
  const [host, port] = [clusterAddr.slice(0, clusterAddr.lastIndexOf(':')), Number(clusterAddr.split(':').pop())];
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, rejectUnauthorized: false, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${clusterAddr}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The raft section of `GET /healthz` on the cluster port, or undefined when unreachable. */
export async function fetchRaftHealth(clusterAddr: string, timeoutMs = 1_000): Promise<RaftHealth | undefined> {
  try {
    const { body } = await clusterPortGet(clusterAddr, '/healthz', timeoutMs);
    return (JSON.parse(body) as { raft: RaftHealth | null }).raft ?? undefined;
  } catch {
    return undefined;
  }
}

/** One Engine API request; the body is parsed as JSON when it is JSON. */
export async function engineRequest(engine: string, method: string, path: string, body?: unknown, timeoutMs = 15_000) {
  const res = await fetch(`${engine}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, replica: res.headers.get('x-swarmdeck-replica') };
}

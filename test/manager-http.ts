// HTTP helpers for talking to a manager process from tests and benchmarks:
// its raft state and its Engine API.

import type { RaftHealth } from '../server/api/raft-health';

export type { RaftHealth };

/**
 * `GET /swarmdeck/raft` on the manager's Engine API, or undefined when it is unreachable or has
 * no raft member yet (starting, waiting to join, a worker).
 */
export async function fetchRaftHealth(engine: string, timeoutMs = 1_000): Promise<RaftHealth | undefined> {
  try {
    const res = await fetch(`${engine}/swarmdeck/raft`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return undefined;
    return (await res.json()) as RaftHealth;
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

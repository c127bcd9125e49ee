// HTTP helpers for talking to a manager process from tests and benchmarks:
// its cluster-port health (raft state) and its Engine API.

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

/** The raft section of `GET /healthz` on the cluster port, or undefined when unreachable. */
export async function fetchRaftHealth(clusterAddr: string, timeoutMs = 1_000): Promise<RaftHealth | undefined> {
  try {
    const res = await fetch(`http://${clusterAddr}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { raft: RaftHealth | null };
    return body.raft ?? undefined;
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

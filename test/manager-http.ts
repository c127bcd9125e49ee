// HTTP helpers for talking to a manager process from tests and benchmarks:
// its raft state and its Engine API, and its cluster port's public answers.

import { request } from 'node:https';
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
  return {
    status: res.status,
    json,
    replica: res.headers.get('x-swarmdeck-replica'),
    contentType: res.headers.get('content-type'),
  };
}

/**
 * The console admin every test manager starts with (SWARMDECK_ADMIN_PASSWORD, set by the harnesses):
 * a test logs in with `consoleLogin` rather than finding the console open.
 */
export const TEST_ADMIN = { name: 'admin', password: 'swarmdeck-test-admin' } as const;
export const TEST_ADMIN_ENV = {
  SWARMDECK_ADMIN_NAME: TEST_ADMIN.name,
  SWARMDECK_ADMIN_PASSWORD: TEST_ADMIN.password,
} as const;

/** POST /api/session on a console: the Cookie header of the new session (throws on a refusal). */
export async function consoleLogin(
  consoleUrl: string,
  name: string = TEST_ADMIN.name,
  password: string = TEST_ADMIN.password,
  timeoutMs = 15_000,
): Promise<string> {
  const res = await fetch(`${consoleUrl}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) throw new Error(`log in as ${name}: ${res.status} ${await res.text()}`);
  const set = res.headers.get('set-cookie') ?? '';
  const cookie = set.split(';')[0] ?? '';
  if (!cookie.includes('=')) throw new Error(`log in as ${name}: no session cookie`);
  return cookie;
}

/** One console API request with a session cookie (or none); the body is parsed as JSON when it is JSON. */
export async function consoleRequest(
  consoleUrl: string,
  cookie: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
) {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${consoleUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

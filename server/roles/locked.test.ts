import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SWARM_LOCKED_MESSAGE } from '../storage/encryption/errors';
import { lockedConsole } from './locked';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function base(): Promise<string> {
  server = createServer(lockedConsole);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("a locked manager's console port", () => {
  it('answers every page with a 503 saying the swarm is locked', async () => {
    const res = await fetch(`${await base()}/services`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(`${SWARM_LOCKED_MESSAGE}\n`);
  });

  it('answers API calls (and JSON clients) in JSON', async () => {
    const url = await base();
    const api = await fetch(`${url}/api/state`, { method: 'POST', body: '{}' });
    expect([api.status, api.headers.get('content-type')]).toEqual([503, 'application/json']);
    expect(await api.json()).toEqual({ message: SWARM_LOCKED_MESSAGE });
    const page = await fetch(url, { headers: { Accept: 'application/json' } });
    expect(await page.json()).toEqual({ message: SWARM_LOCKED_MESSAGE });
  });
});

// What every Engine API request passes: URLs, browsers, body types and sizes,
// and handlers that throw. Against a real store and a real HTTP server.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequestHandler } from './front-door';
import { startTestEngine, type Reply, type TestEngine } from './test-support';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine(['worker1']);
});
afterAll(() => engine.close());

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  engine.call(method, path, body, headers);

const serviceCount = async () => ((await call('GET', '/v1.50/services')).json as unknown[]).length;

describe('malformed URLs', () => {
  it('answer 400 JSON, and the server keeps answering', async () => {
    for (const [path, message] of [
      ['//x', 'malformed request URL "//x": path starts with //'],
      ['//', 'malformed request URL "//": path starts with //'],
      ['/\\x', 'malformed request URL "/\\\\x": backslash in path'],
      ['/v1.50/services/%zz', 'malformed request URL "/v1.50/services/%zz": invalid URL escape in path'],
      ['/v1.50/services?filters=%', 'malformed request URL "/v1.50/services?filters=%": invalid URL escape in query'],
      [
        'http://engine/v1.50/swarm',
        'malformed request URL "http://engine/v1.50/swarm": must be a path starting with /',
      ],
    ]) {
      const r = await call('GET', path!);
      expect([path, r.status, r.json]).toEqual([path, 400, { message }]);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect((await call('GET', '/' + 'x'.repeat(9000))).status).toBe(414);
    expect((await call('GET', '/_ping')).status).toBe(200);
  });
});

describe('browsers', () => {
  it('refuse a foreign or null Origin and cross-site fetch metadata, for reads too', async () => {
    const before = await serviceCount();
    const spec = { Name: 'csrf', TaskTemplate: { ContainerSpec: { Image: 'nginx' } } };
    for (const headers of <Record<string, string>[]>[
      { Origin: 'http://evil.example' },
      { Origin: 'null' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
    ]) {
      const w = await call('POST', '/v1.50/services/create', spec, headers);
      expect(w.status).toBe(403);
      const r = await call('GET', '/v1.50/swarm', undefined, headers);
      expect(r.status).toBe(403);
      expect(r.text).not.toContain('SWMTKN');
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(await serviceCount()).toBe(before);
    // the same origin (a page served by the engine itself, if there were one) is let through
    const port = engine.port;
    expect((await call('GET', '/_ping', undefined, { Origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await call('GET', '/_ping', undefined, { 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
  });

  it('refuse a Host that is a name this node does not go by (DNS rebinding)', async () => {
    const r = await call('GET', '/v1.50/swarm', undefined, { Host: 'rebound.attacker.example:2375' });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      message:
        'the Engine API does not answer to host "rebound.attacker.example"; add it to SWARMDECK_HOSTS to allow it',
    });
    // what the docker CLI sends over a unix socket, and plain loopback names, are fine
    for (const Host of ['api.moby.localhost', 'docker', 'localhost:2375', '[::1]:2375']) {
      const ok = await call('GET', '/_ping', undefined, { Host });
      expect([Host, ok.status]).toEqual([Host, Host === 'docker' ? 403 : 200]);
    }
  });
});

describe('bodies', () => {
  it('must be JSON when there is one; a POST without a body may say text/plain (the docker CLI does)', async () => {
    const spec = JSON.stringify({ Name: 'plain', TaskTemplate: { ContainerSpec: { Image: 'nginx' } } });
    const r = await call('POST', '/v1.50/services/create', spec, { 'Content-Type': 'text/plain' });
    expect([r.status, r.json]).toEqual([
      400,
      { message: "unsupported Content-Type header (text/plain): must be 'application/json'" },
    ]);
    const form = await call('POST', '/v1.50/services/create', 'a=b', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    // no body, text/plain: reaches the route (which answers what it answers for a body-less request)
    const leave = await call('POST', '/v1.50/swarm/leave', undefined, { 'Content-Type': 'text/plain' });
    expect(leave.status).toBe(503);
    expect((leave.json as { message: string }).message).toMatch(/leave the swarm/);
  });

  it('admits a large real spec, refuses an oversized one with 413 and deep nesting with 400', async () => {
    const env = (n: number) => Array.from({ length: n }, (_, i) => `VAR_${i}=${'v'.repeat(100)}`);
    const spec = (n: number) => ({ Name: `big${n}`, TaskTemplate: { ContainerSpec: { Image: 'nginx', Env: env(n) } } });
    expect((await call('POST', '/v1.50/services/create', spec(3_000))).status).toBe(201); // 330 KB
    // 2.3 MB passes the HTTP bound; the service spec limit (a quarter of the 1.5 MiB proposal) refuses it
    const big = spec(20_000);
    const stored = await call('POST', '/v1.50/services/create', big);
    expect(stored.status).toBe(400);
    expect((stored.json as { message: string }).message).toMatch(/service spec is too large/);
    const huge = await call('POST', '/v1.50/services/create', { ...big, Pad: 'x'.repeat(5 * 1024 * 1024) });
    expect([huge.status, huge.json]).toEqual([413, { message: 'request body too large: the limit is 4194304 bytes' }]);
    const deep = await call('POST', '/v1.50/services/create', '['.repeat(65) + ']'.repeat(65));
    expect([deep.status, deep.json]).toEqual([
      400,
      { message: 'JSON nests deeper than 64 levels (at byte 64); no real object needs that' },
    ]);
    // a million tiny values would block a parse for most of a second: refused by count before parsing
    const many = await call('POST', '/v1.50/services/create', `[${'{},'.repeat(1_000_000)}{}]`);
    expect([many.status, many.json]).toEqual([
      400,
      { message: 'JSON holds more than 100000 values (at byte 149998); no real object needs that' },
    ]);
    expect((await call('GET', '/_ping')).status).toBe(200);
  });
});

describe('handlers that throw', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer(
      engineRequestHandler((_req, _res, target) => {
        if (target.path === '/sync') throw new TypeError('boom (sync)');
        return Promise.reject(new Error('boom (async)'));
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answer a JSON error whether they throw or reject', async () => {
    expect(await get('/sync')).toEqual({ status: 500, body: '{"message":"boom (sync)"}\n' });
    expect(await get('/async')).toEqual({ status: 500, body: '{"message":"boom (async)"}\n' });
  });
});

import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allowedHost, hostOnly, refuseBrowserRequest } from './request-guard';

describe('console request guard', () => {
  it('answers to IP literals, localhost, this host name and configured names only', () => {
    expect(hostOnly('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(hostOnly('[::1]:3000')).toBe('::1');
    expect(hostOnly('Example.COM')).toBe('example.com');
    for (const h of ['127.0.0.1', '10.1.2.3', '::1', 'localhost', hostname().toLowerCase()])
      expect(allowedHost(h, [])).toBe(true);
    expect(allowedHost('attacker.example', [])).toBe(false);
    expect(allowedHost('console.example', ['console.example'])).toBe(true);
    expect(allowedHost('', [])).toBe(false);
  });

  it('refuses a rebound name, and writes from another origin, but not same-origin writes or plain reads', () => {
    expect(refuseBrowserRequest({ host: 'rebound.attacker.example:3000' }, 'GET')).toMatch(/does not answer to host/);
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000' }, 'GET')).toBeUndefined();
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, 'POST')).toBeUndefined();
    // curl, the tests and other non-browser clients send no Origin
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000' }, 'POST')).toBeUndefined();
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000', origin: 'http://evil.example' }, 'POST')).toMatch(
      /cross-site/,
    );
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000', origin: 'null' }, 'DELETE')).toMatch(/cross-site/);
    // a cross-site GET cannot read the answer (no CORS headers), so reads are not refused for their Origin
    expect(refuseBrowserRequest({ host: '127.0.0.1:3000', origin: 'http://evil.example' }, 'GET')).toBeUndefined();
  });

  it('checks the Origin of a socket handshake, which another site could otherwise read', () => {
    const ws = { host: '127.0.0.1:3000', origin: 'http://evil.example' };
    expect(refuseBrowserRequest(ws, 'GET', { readable: true })).toMatch(/cross-site/);
    expect(refuseBrowserRequest({ ...ws, origin: 'http://127.0.0.1:3000' }, 'GET', { readable: true })).toBeUndefined();
  });
});

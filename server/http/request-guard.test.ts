import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allowedHost, answerToNames, hostOnly, refuseBrowserRequest } from './request-guard';

describe('browser request guard', () => {
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

  it('refuses fetch metadata that says another site sent it, on writes and readable requests', () => {
    const h = { host: '127.0.0.1:2375' };
    expect(refuseBrowserRequest({ ...h, 'sec-fetch-site': 'cross-site' }, 'POST')).toBe('cross-site request refused');
    expect(refuseBrowserRequest({ ...h, 'sec-fetch-site': 'same-site' }, 'GET', { readable: true })).toBe(
      'same-site request refused',
    );
    expect(refuseBrowserRequest({ ...h, 'sec-fetch-site': 'same-origin' }, 'POST')).toBeUndefined();
    expect(refuseBrowserRequest({ ...h, 'sec-fetch-site': 'none' }, 'GET', { readable: true })).toBeUndefined();
    // a link from another site to a console page is a plain read
    expect(refuseBrowserRequest({ ...h, 'sec-fetch-site': 'cross-site' }, 'GET')).toBeUndefined();
  });

  it('names the listener, and answers to names given on the command line or in SWARMDECK_HOSTS', () => {
    expect(refuseBrowserRequest({ host: 'rebound.example:2375' }, 'GET', { listener: 'Engine API' })).toBe(
      'the Engine API does not answer to host "rebound.example"; add it to SWARMDECK_HOSTS to allow it',
    );
    answerToNames(['manager1.lan', '10.0.0.5', '[::1]']);
    try {
      expect(refuseBrowserRequest({ host: 'manager1.lan:2375' }, 'GET')).toBeUndefined();
    } finally {
      answerToNames([]);
    }
    expect(refuseBrowserRequest({ host: 'manager1.lan:2375' }, 'GET')).toMatch(/does not answer/);
    process.env.SWARMDECK_HOSTS = 'a.example, B.example';
    try {
      expect(refuseBrowserRequest({ host: 'b.example' }, 'GET')).toBeUndefined();
    } finally {
      delete process.env.SWARMDECK_HOSTS;
    }
  });
});

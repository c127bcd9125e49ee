// Who may use the console and the Engine API from a browser. Neither has a
// login yet, so two browser attacks are shut out here: another site making the
// operator's browser send requests to them (CSRF: a foreign Origin, or fetch
// metadata saying cross-site), and a page whose domain is re-pointed at
// 127.0.0.1 reading them (DNS rebinding: a Host that is a name we never serve
// under). Non-browser clients (the docker CLI, curl, other managers) send
// neither Origin nor Sec-Fetch-* headers, and a Host that is an IP address,
// localhost or a name this host goes by.

import type { IncomingHttpHeaders } from 'node:http';
import { hostname as osHostname } from 'node:os';

/** Which listener asks: it names the listener in refusals. */
export type GuardedListener = 'console' | 'Engine API';

/**
 * Extra host names every listener answers to: SWARMDECK_HOSTS=a.example,b.example
 * (SWARMDECK_CONSOLE_HOSTS, its older name, still counts).
 */
function configuredHosts(env: Record<string, string | undefined> = process.env): string[] {
  return [env.SWARMDECK_HOSTS, env.SWARMDECK_CONSOLE_HOSTS]
    .join(',')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** Names given on the command line (--listen-host, --advertise-addr), registered at start. */
let ownNames: string[] = [];

/** Also answer to these names (the listen and advertise addresses, when they are names rather than IPs). */
export function answerToNames(names: readonly string[]): void {
  ownNames = names.map((n) => hostOnly(n)).filter((n) => n && !IPV4.test(n) && !n.includes(':'));
}

/** The host part of a Host header or an Origin URL's host, lower-case, without port or brackets. */
export function hostOnly(hostPort: string): string {
  const h = hostPort.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** IP literals cannot be rebound; names must be ours. */
export function allowedHost(host: string, extra: readonly string[] = [...configuredHosts(), ...ownNames]): boolean {
  if (!host) return false;
  if (IPV4.test(host) || host.includes(':')) return true;
  const own = osHostname().toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === own || extra.includes(host);
}

const CROSS_SITE_FETCH = new Set(['cross-site', 'same-site']);

/**
 * Undefined when the request may go on, else why it may not (answered with 403).
 * `readable` marks requests whose answer another site could read (a WebSocket
 * handshake is a GET without CORS; every Engine API answer): for those the
 * Origin and fetch metadata are checked as for writes.
 */
export function refuseBrowserRequest(
  headers: IncomingHttpHeaders,
  method: string,
  opts: { readable?: boolean; listener?: GuardedListener } = {},
): string | undefined {
  const listener = opts.listener ?? 'console';
  const host = hostOnly(String(headers.host ?? ''));
  if (!allowedHost(host)) {
    return `the ${listener} does not answer to host "${host.slice(0, 64)}"; add it to SWARMDECK_HOSTS to allow it`;
  }
  const checked = opts.readable || (method !== 'GET' && method !== 'HEAD');
  if (!checked) return undefined;
  const origin = headers.origin;
  if (origin === 'null') return 'cross-site request refused';
  if (origin) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'malformed Origin header';
    }
    if (originHost.toLowerCase() !== String(headers.host ?? '').toLowerCase()) {
      return `cross-site request from ${origin.slice(0, 80)} refused`;
    }
  }
  const site = String(headers['sec-fetch-site'] ?? '').toLowerCase();
  if (CROSS_SITE_FETCH.has(site)) return `${site} request refused`;
  return undefined;
}

// Who may use the console's API and socket from a browser. The console has no
// login yet, so two browser attacks are shut out here: another site making the
// operator's browser POST to it (CSRF: a cross-site Origin on a write), and a
// page whose domain is re-pointed at 127.0.0.1 reading it (DNS rebinding: a
// Host that is a name we never serve under).

import type { IncomingHttpHeaders } from 'node:http';
import { hostname as osHostname } from 'node:os';

/** Extra host names the console answers to (SWARMDECK_CONSOLE_HOSTS=a.example,b.example). */
function configuredHosts(): string[] {
  return (process.env.SWARMDECK_CONSOLE_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
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
export function allowedHost(host: string, extra: readonly string[] = configuredHosts()): boolean {
  if (!host) return false;
  if (IPV4.test(host) || host.includes(':')) return true;
  const own = osHostname().toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === own || extra.includes(host);
}

/**
 * Undefined when the request may go on, else why it may not (answered with 403).
 * `readable` marks requests whose answer another site could read (a WebSocket
 * handshake is a GET without CORS): for those the Origin must match as for writes.
 */
export function refuseBrowserRequest(
  headers: IncomingHttpHeaders,
  method: string,
  opts: { readable?: boolean } = {},
): string | undefined {
  const host = hostOnly(String(headers.host ?? ''));
  if (!allowedHost(host)) {
    return `the console does not answer to host "${host.slice(0, 64)}"; add it to SWARMDECK_CONSOLE_HOSTS to allow it`;
  }
  const origin = headers.origin;
  const checked = opts.readable || (method !== 'GET' && method !== 'HEAD');
  if (checked && origin && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'malformed Origin header';
    }
    if (originHost.toLowerCase() !== String(headers.host ?? '').toLowerCase()) {
      return `cross-site request from ${origin.slice(0, 80)} refused`;
    }
  } else if (checked && origin === 'null') {
    return 'cross-site request refused';
  }
  return undefined;
}

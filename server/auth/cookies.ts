// The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other
// site's page sends it), Path=/, Secure when the console is served over TLS,
// Max-Age what is left of the session.

import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../api/auth';

/** The session cookie's value from a Cookie header, if any. */
export function sessionCookie(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setSessionCookie(token: string, expiresAtMs: number, nowMs: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

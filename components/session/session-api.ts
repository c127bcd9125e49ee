import type { SessionBody } from '@/server/api/auth';
import { ApiError } from '../api/client';

export const SESSION_QUERY_KEY = ['session'] as const;

/** GET /api/session: who we are, or null when nobody is logged in (401). Other failures throw. */
export async function fetchSession(): Promise<SessionBody | null> {
  const r = await fetch('/api/session', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (r.status === 401) return null;
  if (!r.ok) throw new ApiError(r.status, `${r.status} ${r.statusText}`);
  return (await r.json()) as SessionBody;
}

/**
 * Where to go after logging in: a path on this console, never another site
 * (`//evil.example`, `/\\evil.example` and absolute URLs fall back to the overview).
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/setup')) return '/';
  return next;
}

/** The login page for someone who wanted `path`. */
export const loginHref = (path: string): string =>
  path && path !== '/' ? `/login?next=${encodeURIComponent(path)}` : '/login';

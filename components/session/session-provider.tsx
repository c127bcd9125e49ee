'use client';

import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Principal, SessionBody } from '@/server/api/auth';
import { setUnauthorizedHandler } from '../api/client';
import { may, type ConsoleAction } from './permissions';
import { fetchSession, SESSION_QUERY_KEY } from './session-api';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'error';

export interface SessionState {
  status: SessionStatus;
  session?: SessionBody;
  /** Who was signed in before the session ended (a share link revoked, a session expired): says what to show. */
  ended?: Principal;
  error?: Error;
  /** Ask the server again (after a 401, a refused socket). */
  recheck(): void;
}

const SessionContext = createContext<SessionState>({ status: 'loading', recheck: () => undefined });

/** setTimeout's limit: a later expiry is rechecked then, and again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who is using the console (GET /api/session, held by React Query), asked
 * once per page load and again whenever something says the session may have
 * ended: a 401 from any request, the socket refused, the expiry time passing.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: SESSION_QUERY_KEY,
    queryFn: fetchSession,
    staleTime: Infinity,
    gcTime: Infinity,
    retry: 1,
  });
  const recheck = useMemo(() => () => void qc.invalidateQueries({ queryKey: SESSION_QUERY_KEY }), [qc]);
  useEffect(() => {
    setUnauthorizedHandler(recheck);
    return () => setUnauthorizedHandler(undefined);
  }, [recheck]);

  const data = q.data;
  const expiresAt = data?.expiresAt;
  useEffect(() => {
    if (!expiresAt) return;
    const ms = Date.parse(expiresAt) - Date.now() + 1000;
    const t = setTimeout(recheck, Math.min(Math.max(ms, 1000), MAX_TIMER_MS));
    return () => clearTimeout(t);
  }, [expiresAt, recheck]);

  // remember who was signed in, so the end of a share link's session reads as its revocation
  const last = useRef<Principal | undefined>(undefined);
  if (data) last.current = data.principal;

  const state = useMemo<SessionState>(() => {
    if (data) return { status: 'signed-in', session: data, recheck };
    if (data === null) return { status: 'signed-out', ended: last.current, recheck };
    if (q.error) return { status: 'error', error: q.error, recheck };
    return { status: 'loading', recheck };
  }, [data, q.error, recheck]);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

/** A fixed session, for rendering components as a given role (tests, previews). */
export function StaticSession({ session, children }: { session: SessionBody | null; children: ReactNode }) {
  const state = useMemo<SessionState>(
    () =>
      session
        ? { status: 'signed-in', session, recheck: () => undefined }
        : { status: 'signed-out', recheck: () => undefined },
    [session],
  );
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export const useSession = (): SessionState => useContext(SessionContext);

/** Whether the signed-in principal may use `action` (false until the session is known). */
export function useMay(action: ConsoleAction): boolean {
  return may(useSession().session?.principal.role, action);
}

/**
 * Renders its children only for a role that may use `action`: controls a
 * role cannot use are left out of the page, not shown disabled.
 */
export function Allowed({
  to,
  children,
  otherwise = null,
}: {
  to: ConsoleAction;
  children: ReactNode;
  otherwise?: ReactNode;
}) {
  return <>{useMay(to) ? children : otherwise}</>;
}

'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { RealtimeProvider } from '../realtime/realtime-provider';
import { StaleCurtain } from '../realtime/stale-curtain';
import { StaleOverlay } from '../wall/stale-overlay';
import { loginHref } from '../session/session-api';
import { useSession } from '../session/session-provider';
import { AppHeader } from './app-header';

/** Pages anyone may open: they need no session and show no console around them. */
export const isPublicPath = (path: string): boolean =>
  path === '/login' || path === '/setup' || path.startsWith('/share/');

export const isWallPath = (path: string): boolean => path === '/wall' || path.startsWith('/wall/');

/**
 * What every page sits in. The login and setup pages stand alone; the wall is
 * the live cluster with nothing around it; every other page is the console:
 * header, navigation, live stream. Nothing of the console renders before the
 * session is known, so a control a role may not use never flashes on screen.
 */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const path = usePathname();
  if (isPublicPath(path)) {
    return (
      <main id="main" className="auth-main">
        {children}
      </main>
    );
  }
  const wall = isWallPath(path);
  return (
    <SessionGate wall={wall}>
      <RealtimeProvider>
        {wall ? (
          <>
            {children}
            <StaleOverlay />
          </>
        ) : (
          <>
            <a href="#main" className="skip-link">
              Skip to content
            </a>
            <AppHeader />
            <main id="main" className="main">
              {children}
            </main>
            <StaleCurtain variant="console" />
          </>
        )}
      </RealtimeProvider>
    </SessionGate>
  );
}

function SessionGate({ wall, children }: { wall: boolean; children: ReactNode }) {
  const s = useSession();
  const path = usePathname();
  const revoked = s.status === 'signed-out' && s.ended?.kind === 'share-link';
  const toLogin = s.status === 'signed-out' && !revoked;
  useEffect(() => {
    // the server sends a page request without a session to the login page; this is for a session that ends while open
    if (toLogin) window.location.replace(loginHref(path + window.location.search));
  }, [toLogin, path]);

  if (s.status === 'signed-in') return <>{children}</>;
  if (revoked) return <EndedScreen wall={wall} />;
  if (s.status === 'error') {
    return (
      <div className={wall ? 'wall-ended' : 'auth-main'} role="alert">
        <div className="auth-card card">
          <h1>Cannot reach the manager</h1>
          <p className="muted">{s.error?.message}</p>
          <button type="button" className="btn" onClick={s.recheck}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  // loading, or on the way to the login page: the header's frame only, so nothing jumps when it fills in
  return wall ? <div className="wall-pending" aria-busy="true" /> : <PendingHeader />;
}

function PendingHeader() {
  return (
    <header className="app-header" aria-busy="true">
      <span className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Swarmdeck
      </span>
    </header>
  );
}

/** A share link's session ended (revoked or expired): the view is gone, and nothing of the cluster stays on screen. */
function EndedScreen({ wall }: { wall: boolean }) {
  return (
    <div className={wall ? 'wall-ended' : 'auth-main'} data-testid="share-ended">
      <div className="auth-card card" role="alert">
        <h1>This share link no longer works</h1>
        <p className="muted">It was revoked or it expired. Ask an admin of this swarm for a new link.</p>
        <Link href="/login">Log in</Link>
      </div>
    </div>
  );
}

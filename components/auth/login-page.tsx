'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { login, setupStatus } from '../session/auth-actions';
import { safeNext } from '../session/session-api';
import { useSession } from '../session/session-provider';
import { AuthCard, FormError } from './auth-card';

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429) return `${err.message || 'Too many tries'}. Wait a moment, then try again.`;
    return err.message;
  }
  return 'The manager did not answer. Try again.';
}

/** Name and password; then on to the page the user wanted (`next`), on this console only. */
export function LoginPage({ next }: { next?: string }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const setupNeeded = useQuery({ queryKey: ['setup-status'], queryFn: setupStatus, retry: false }).data?.needed;
  const { session } = useSession();
  const target = safeNext(next);
  useEffect(() => {
    // Already signed in. This is how a share link opened from another site (a chat, a mail) gets to the
    // wall: the browser keeps the SameSite=Strict cookie from the redirect that followed the link, so
    // the server saw no session and sent it here; from this page the cookie goes along.
    if (session) window.location.replace(target);
  }, [session, target]);

  if (session) {
    return (
      <AuthCard title="Signed in" lead={`as ${session.principal.name}`}>
        <p className="muted" role="status">
          Continuing…
        </p>
      </AuthCard>
    );
  }

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    setPending(true);
    setError(undefined);
    login({ name: String(fd.get('name') ?? '').trim(), password: String(fd.get('password') ?? '') }).then(
      // a full load: the console starts fresh under the new session
      () => window.location.assign(safeNext(next)),
      (err: unknown) => {
        setPending(false);
        setError(loginErrorText(err));
      },
    );
  };

  return (
    <AuthCard title="Log in" lead="to this swarm's console">
      {setupNeeded ? (
        <p className="auth-note" role="status">
          No account exists yet. Open the setup link the manager printed when it started (
          <span className="mono">/setup?token=…</span>) to create the first admin.
        </p>
      ) : null}
      <form className="auth-form" onSubmit={submit} aria-label="Log in">
        <label className="field">
          <span>Name</span>
          <input name="name" autoComplete="username" required autoFocus spellCheck={false} />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <FormError error={error} />
        <button type="submit" className="btn btn-primary auth-submit" disabled={pending}>
          {pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}

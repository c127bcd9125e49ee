'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { accountNameProblem, passwordProblem } from '@/server/api/auth';
import { ApiError } from '../api/client';
import { setup, setupStatus } from '../session/auth-actions';
import { AuthCard, FormError } from './auth-card';

function setupErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `This setup link does not work (${err.message}): it was used already or mistyped.`;
    if (err.status === 409) return 'This swarm already has an admin account. Log in instead.';
    return err.message;
  }
  return 'The manager did not answer. Try again.';
}

/** The first admin account, from the one-time link the manager printed at its first start. */
export function SetupPage({ token }: { token?: string }) {
  const status = useQuery({ queryKey: ['setup-status'], queryFn: setupStatus, retry: false });
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const name = String(fd.get('name') ?? '').trim();
    const password = String(fd.get('password') ?? '');
    const problem =
      accountNameProblem(name) ??
      passwordProblem(password) ??
      (password !== fd.get('confirm') ? 'the two passwords differ' : undefined);
    setError(problem);
    if (problem || !token) return;
    setPending(true);
    setup({ token, name, password }).then(
      () => window.location.assign('/'),
      (err: unknown) => {
        setPending(false);
        setError(setupErrorText(err));
      },
    );
  };

  if (status.data && !status.data.needed) {
    return (
      <AuthCard title="Already set up">
        <p>This swarm already has an admin account.</p>
        <Link href="/login" className="btn btn-primary auth-submit">
          Log in
        </Link>
      </AuthCard>
    );
  }
  if (!token) {
    return (
      <AuthCard title="Set up the console">
        <p>
          Open the setup link the manager printed when it first started: it ends in{' '}
          <span className="mono">/setup?token=…</span>.
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Create the first admin" lead="This account manages the swarm and the other accounts.">
      <form className="auth-form" onSubmit={submit} aria-label="Create the first admin" noValidate>
        <label className="field">
          <span>Name</span>
          <input name="name" autoComplete="username" defaultValue="admin" required spellCheck={false} />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete="new-password" required minLength={8} />
        </label>
        <label className="field">
          <span>Password again</span>
          <input name="confirm" type="password" autoComplete="new-password" required />
        </label>
        <FormError error={error} />
        <button type="submit" className="btn btn-primary auth-submit" disabled={pending || status.isPending}>
          {pending ? 'Creating…' : 'Create admin and log in'}
        </button>
      </form>
    </AuthCard>
  );
}

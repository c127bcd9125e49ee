import type { ReactNode } from 'react';

/** The frame of the pages outside the console (login, setup): the brand, a title, one card. */
export function AuthCard({ title, lead, children }: { title: string; lead?: string; children: ReactNode }) {
  return (
    <div className="auth-card card">
      <div className="auth-brand">
        <span className="brand-mark" aria-hidden="true" />
        Swarmdeck
      </div>
      <h1>{title}</h1>
      {lead ? <p className="muted auth-lead">{lead}</p> : null}
      {children}
    </div>
  );
}

/** An error line that keeps its height when empty, so the form does not jump when one appears. */
export function FormError({ error }: { error: string | undefined }) {
  return (
    <p className="form-error auth-error" role="alert">
      {error ?? ''}
    </p>
  );
}

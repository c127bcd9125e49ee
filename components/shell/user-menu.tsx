'use client';

import Link from 'next/link';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { passwordProblem, type Principal } from '@/server/api/auth';
import { logout, useChangePassword } from '../session/auth-actions';
import { useMay, useSession } from '../session/session-provider';
import { Badge, type Tone } from '../ui/badge';

const ROLE_TONE: Record<Principal['role'], Tone> = { viewer: 'neutral', operator: 'info', admin: 'accent' };

/** Who is signed in, in the header: name and role, and a menu to change the password and log out. */
export function UserMenu() {
  const { session } = useSession();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'menu' | 'password'>('menu');
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelID = useId();
  const admin = useMay('accounts');

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!(e.target instanceof Node && box.current?.contains(e.target))) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);

  if (!session) return null;
  const p = session.principal;
  const shared = p.kind === 'share-link';
  return (
    <div className="user-menu" ref={box}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost user-button"
        aria-expanded={open}
        aria-controls={panelID}
        // the name holds the visible text (name, then the badge) in order
        aria-label={shared ? `Share link ${p.name} shared, ${p.role}` : `Account ${p.name}, ${p.role}`}
        onClick={() => {
          setMode('menu');
          setOpen((o) => !o);
        }}
      >
        <span className="user-name ellipsis">{p.name}</span>{' '}
        <Badge tone={ROLE_TONE[p.role]}>{shared ? 'shared' : p.role}</Badge>
      </button>
      {open ? (
        <div className="user-panel card" id={panelID}>
          <div className="user-who">
            <span className="strong ellipsis">{p.name}</span>
            <span className="muted">{shared ? 'read-only share link' : `${p.role} account`}</span>
          </div>
          {mode === 'password' ? (
            <ChangePassword onDone={() => setMode('menu')} />
          ) : (
            <ul className="user-actions">
              {admin ? (
                <>
                  <li>
                    <Link href="/accounts" onClick={() => setOpen(false)}>
                      Accounts
                    </Link>
                  </li>
                  <li>
                    <Link href="/share-links" onClick={() => setOpen(false)}>
                      Share links
                    </Link>
                  </li>
                </>
              ) : null}
              {shared ? null : (
                <li>
                  <button type="button" className="link-button" onClick={() => setMode('password')}>
                    Change password
                  </button>
                </li>
              )}
              <li>
                <button
                  type="button"
                  className="link-button"
                  onClick={() =>
                    // a full load after: nothing of this session stays in memory
                    logout().finally(() => window.location.assign('/login'))
                  }
                >
                  {shared ? 'Leave' : 'Log out'}
                </button>
              </li>
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}

function ChangePassword({ onDone }: { onDone: () => void }) {
  const change = useChangePassword();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const password = String(fd.get('password') ?? '');
    const p =
      passwordProblem(password) ?? (password !== fd.get('confirm') ? 'the two new passwords differ' : undefined);
    setProblem(p);
    if (!p) change.mutate({ current: String(fd.get('current') ?? ''), password }, { onSuccess: () => setDone(true) });
  };
  if (done) {
    return (
      <div className="user-password">
        <p role="status">Password changed.</p>
        <button type="button" className="btn" onClick={onDone}>
          Done
        </button>
      </div>
    );
  }
  return (
    <form className="user-password" onSubmit={submit} aria-label="Change password" noValidate>
      <label className="field">
        <span>Current password</span>
        <input name="current" type="password" autoComplete="current-password" required autoFocus />
      </label>
      <label className="field">
        <span>New password</span>
        <input name="password" type="password" autoComplete="new-password" required />
      </label>
      <label className="field">
        <span>New password again</span>
        <input name="confirm" type="password" autoComplete="new-password" required />
      </label>
      <p className="form-error" role="alert">
        {problem ?? change.error?.message ?? ''}
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>
          Change password
        </button>
      </div>
    </form>
  );
}

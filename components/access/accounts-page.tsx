'use client';

import { useState, type FormEvent } from 'react';
import { isRole, type Role } from '@/server/api/access';
import { accountNameProblem, passwordProblem, type AccountBody } from '@/server/api/auth';
import { useAccounts, useCreateAccount, useDeleteAccount, useUpdateAccount } from '../session/auth-actions';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay, useSession } from '../session/session-provider';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { SkeletonRows } from '../ui/skeleton';
import { AccessHead } from './access-tabs';
import { ROLE_TEXT, RoleOptions } from './role-select';

const COLS = 5;

/** `/accounts` (admins): who may use the console, with which role. */
export function AccountsPage() {
  return useMay('accounts') ? <Accounts /> : <NotAllowedPage action="accounts" what="managing accounts" />;
}

function Accounts() {
  const accounts = useAccounts();
  const me = useSession().session?.principal;
  const list = [...(accounts.data ?? [])].sort((a, b) => a.Name.localeCompare(b.Name));
  return (
    <div className="page access-page">
      <AccessHead current="/accounts" />
      <CreateAccount />
      <section className="section" aria-labelledby="accounts-h">
        <h2 id="accounts-h">
          Accounts <span className="muted num">{accounts.data ? list.length : ''}</span>
        </h2>
        <div className="table-wrap">
          <table className="data-table accounts-table">
            <colgroup>
              <col className="col-name" />
              <col className="col-role" />
              <col className="col-age" />
              <col className="col-age" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.isPending ? <SkeletonRows rows={2} cols={COLS} /> : null}
              {accounts.error ? (
                <tr>
                  <td colSpan={COLS} className="empty form-error">
                    {accounts.error.message}
                  </td>
                </tr>
              ) : null}
              {list.map((a) => (
                <AccountRow key={a.ID} account={a} self={me?.kind === 'account' && me.id === a.ID} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function CreateAccount() {
  const create = useCreateAccount();
  const [problem, setProblem] = useState<string>();
  const [created, setCreated] = useState<string>();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    const name = String(fd.get('name') ?? '').trim();
    const password = String(fd.get('password') ?? '');
    const role = String(fd.get('role'));
    const p = accountNameProblem(name) ?? passwordProblem(password) ?? (isRole(role) ? undefined : 'pick a role');
    setProblem(p);
    setCreated(undefined);
    if (p || !isRole(role)) return;
    create.mutate(
      { name, role, password },
      {
        onSuccess: (a) => {
          form.reset();
          setCreated(`Created ${a.Name} (${a.Role}).`);
        },
      },
    );
  };
  return (
    <form className="card form access-form" onSubmit={submit} aria-label="Create an account" noValidate>
      <h2>Create an account</h2>
      <div className="access-form-row">
        <label className="field">
          <span>Name</span>
          <input name="name" required autoComplete="off" spellCheck={false} maxLength={64} />
        </label>
        <label className="field">
          <span>Role</span>
          <select name="role" defaultValue="viewer">
            <RoleOptions />
          </select>
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" required autoComplete="new-password" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Create account
        </button>
      </div>
      <p className={problem || create.error ? 'form-error access-line' : 'muted access-line'} role="status">
        {problem ?? create.error?.message ?? created ?? 'Passwords need at least 8 characters.'}
      </p>
      <dl className="role-help">
        {(Object.entries(ROLE_TEXT) as [Role, string][]).map(([r, t]) => (
          <div key={r}>
            <dt>{r}</dt>
            <dd>{t}</dd>
          </div>
        ))}
      </dl>
    </form>
  );
}

function AccountRow({ account, self }: { account: AccountBody; self: boolean }) {
  const update = useUpdateAccount(account.ID);
  const remove = useDeleteAccount(account.ID);
  const [mode, setMode] = useState<'idle' | 'password' | 'delete'>('idle');
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const error = problem ?? update.error?.message ?? remove.error?.message;

  const resetPassword = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const password = String(new FormData(e.currentTarget).get('password') ?? '');
    const p = passwordProblem(password);
    setProblem(p);
    if (!p)
      update.mutate(
        { password },
        {
          onSuccess: () => {
            setMode('idle');
            setNotice('Password reset.');
          },
        },
      );
  };

  return (
    <tr data-account={account.Name}>
      <td className="ellipsis">
        <span className="strong">{account.Name}</span> {self ? <Badge tone="info">you</Badge> : null}
      </td>
      <td>
        {self ? (
          // no demoting oneself by a slip of the mouse: another admin can
          <Badge tone="accent">{account.Role}</Badge>
        ) : (
          <select
            aria-label={`Role of ${account.Name}`}
            value={account.Role}
            disabled={update.isPending}
            onChange={(e) => {
              const role = e.target.value;
              setNotice(undefined);
              setProblem(undefined);
              if (isRole(role)) update.mutate({ role }, { onSuccess: () => setNotice(`Now ${role}.`) });
            }}
          >
            <RoleOptions />
          </select>
        )}
      </td>
      <td>
        <Age at={account.CreatedAt} />
      </td>
      <td>
        <Age at={account.UpdatedAt} />
      </td>
      <td className="cell-actions">
        {mode === 'password' ? (
          <form className="row-form" onSubmit={resetPassword} noValidate>
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              aria-label={`New password for ${account.Name}`}
              placeholder="new password"
              autoFocus
            />
            <button type="submit" className="btn btn-primary" disabled={update.isPending}>
              Set
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : mode === 'delete' ? (
          <span className="confirm">
            <button
              type="button"
              className="btn btn-danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
              title="Their sessions end at once"
            >
              Delete {account.Name}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="row-buttons">
            <button
              type="button"
              className="btn"
              onClick={() => {
                setMode('password');
                setNotice(undefined);
                setProblem(undefined);
              }}
            >
              Reset password…
            </button>
            {self ? null : (
              <button type="button" className="btn btn-danger-outline" onClick={() => setMode('delete')}>
                Delete…
              </button>
            )}
          </span>
        )}
        {error || notice ? (
          <p className={error ? 'form-error row-note' : 'muted row-note'} role={error ? 'alert' : 'status'}>
            {error ?? notice}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

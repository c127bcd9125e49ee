'use client';

import { useState, type FormEvent } from 'react';
import { SHARE_LINK_NAME_MAX, type CreatedShareLinkBody, type ShareLinkBody } from '@/server/api/auth';
import { useCreateShareLink, useRevokeShareLink, useShareLinks } from '../session/auth-actions';
import { NotAllowedPage } from '../session/not-allowed-page';
import { useMay } from '../session/session-provider';
import { useNow } from '../time/now';
import { humanDuration } from '../time/format';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { CopyButton } from '../ui/copy-button';
import { SkeletonRows } from '../ui/skeleton';
import { AccessHead } from './access-tabs';

/** How long a new link lasts: a shift, a day, a sprint, a quarter, a year (the contract's limit). */
export const TTL_CHOICES = [
  { hours: 8, label: '8 hours' },
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '1 week' },
  { hours: 24 * 30, label: '30 days' },
  { hours: 24 * 90, label: '90 days' },
  { hours: 8760, label: '1 year' },
] as const;

const COLS = 6;

/** `/share-links` (admins): read-only links for wall screens, shown once, revocable. */
export function ShareLinksPage() {
  return useMay('shareLinks') ? <ShareLinks /> : <NotAllowedPage action="shareLinks" what="managing share links" />;
}

function ShareLinks() {
  const links = useShareLinks();
  const [created, setCreated] = useState<CreatedShareLinkBody>();
  const list = [...(links.data ?? [])].sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  return (
    <div className="page access-page">
      <AccessHead current="/share-links" />
      <p className="muted access-note">
        A share link opens the read-only views, the wall included, without logging in. It sees what a viewer sees: no
        secrets, no controls. Revoking it closes every page open on it at once.
      </p>
      {created ? (
        <NewLink link={created} onDone={() => setCreated(undefined)} />
      ) : (
        <CreateShareLink onCreated={setCreated} />
      )}
      <section className="section" aria-labelledby="links-h">
        <h2 id="links-h">
          Share links <span className="muted num">{links.data ? list.length : ''}</span>
        </h2>
        <div className="table-wrap">
          <table className="data-table links-table">
            <colgroup>
              <col className="col-name" />
              <col className="col-by" />
              <col className="col-age" />
              <col className="col-age" />
              <col className="col-age" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created by</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {links.isPending ? <SkeletonRows rows={2} cols={COLS} /> : null}
              {links.data && list.length === 0 ? (
                <tr>
                  <td colSpan={COLS} className="empty">
                    No share links.
                  </td>
                </tr>
              ) : null}
              {links.error ? (
                <tr>
                  <td colSpan={COLS} className="empty form-error">
                    {links.error.message}
                  </td>
                </tr>
              ) : null}
              {list.map((l) => (
                <LinkRow key={l.ID} link={l} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function CreateShareLink({ onCreated }: { onCreated: (link: CreatedShareLinkBody) => void }) {
  const create = useCreateShareLink();
  const [problem, setProblem] = useState<string>();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const name = String(fd.get('name') ?? '').trim();
    const ttlHours = Number(fd.get('ttl'));
    const p = name ? undefined : 'give the link a name (where it is shown, say)';
    setProblem(p);
    if (!p) create.mutate({ name, ttlHours }, { onSuccess: onCreated });
  };
  return (
    <form className="card form access-form" onSubmit={submit} aria-label="Create a share link" noValidate>
      <h2>Create a share link</h2>
      <div className="access-form-row">
        <label className="field">
          <span>Name</span>
          <input name="name" required autoComplete="off" maxLength={SHARE_LINK_NAME_MAX} placeholder="office wall" />
        </label>
        <label className="field">
          <span>Expires after</span>
          <select name="ttl" defaultValue={24 * 30}>
            {TTL_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Create link
        </button>
      </div>
      <p className={problem || create.error ? 'form-error access-line' : 'muted access-line'} role="status">
        {problem ?? create.error?.message ?? 'The link is shown once, right after it is made.'}
      </p>
    </form>
  );
}

/** The new link's URL, once: the server keeps only a hash of its token. */
function NewLink({ link, onDone }: { link: CreatedShareLinkBody; onDone: () => void }) {
  const url = new URL(link.url, window.location.origin).toString();
  return (
    <section className="card form access-form new-link" aria-label="New share link" data-testid="new-share-link">
      <h2>
        Share link <span className="mono">{link.Name}</span> created
      </h2>
      <div className="access-form-row">
        <input
          className="mono grow"
          readOnly
          value={url}
          aria-label="Share link URL"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={url} label="Copy share link" />
        <button type="button" className="btn" onClick={onDone}>
          Done
        </button>
      </div>
      <p className="access-line warn-text" role="status">
        Copy it now: it is shown only this once. It opens the wall at <span className="mono">/wall</span> until{' '}
        {new Date(link.ExpiresAt).toLocaleString()}.
      </p>
    </section>
  );
}

function Expires({ at }: { at: string }) {
  const now = useNow();
  const t = Date.parse(at);
  if (!now) return <span className="num">{'\u00a0'}</span>;
  if (t <= now) return <Badge tone="bad">expired</Badge>;
  return (
    <time className="num" dateTime={at} title={at}>
      in {humanDuration(t - now)}
    </time>
  );
}

function LinkRow({ link }: { link: ShareLinkBody }) {
  const revoke = useRevokeShareLink(link.ID);
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-link={link.Name}>
      <td className="ellipsis strong" title={link.Name}>
        {link.Name}
      </td>
      <td className="ellipsis">{link.CreatedBy}</td>
      <td>
        <Age at={link.CreatedAt} />
      </td>
      <td>
        <Expires at={link.ExpiresAt} />
      </td>
      <td>{link.LastUsedAt ? <Age at={link.LastUsedAt} /> : <span className="muted">never</span>}</td>
      <td className="cell-actions">
        {confirming ? (
          <span className="confirm">
            <button
              type="button"
              className="btn btn-danger"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate()}
            >
              Revoke {link.Name}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
            Revoke…
          </button>
        )}
        {revoke.error ? (
          <p className="form-error row-note" role="alert">
            {revoke.error.message}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

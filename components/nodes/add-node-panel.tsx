'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CopyButton } from '../ui/copy-button';
import type { JoinTokensBody, TokenRole } from '@/server/api/console';
import { useRotateJoinToken } from '../api/actions';
import { getJson } from '../api/client';
import { useMay } from '../session/session-provider';
import { actionErrorText, joinCommands, maskToken, tokenFor } from './node-view';

const JOIN_TOKENS_KEY = ['join-tokens'] as const;

function Command({
  caption,
  shown,
  real,
  testid,
  copyLabel,
}: {
  caption: string;
  shown: string | undefined;
  real: string | undefined;
  testid: string;
  copyLabel: string;
}) {
  return (
    <div className="join-command">
      <div className="join-caption">{caption}</div>
      <div className="join-line">
        <code className="mono join-text" data-testid={testid}>
          {shown ?? <span className="skeleton" />}
        </code>
        <CopyButton text={real} label={copyLabel} />
      </div>
    </div>
  );
}

const ROLE_TEXT: Record<TokenRole, { title: string; hint: string }> = {
  worker: { title: 'Worker', hint: 'runs tasks; an agent process' },
  manager: { title: 'Manager', hint: 'runs tasks and holds a raft replica of the cluster state' },
};

function JoinRole({ role, data }: { role: TokenRole; data: JoinTokensBody | undefined }) {
  const qc = useQueryClient();
  const rotate = useRotateJoinToken();
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const token = data ? tokenFor(data, role) : undefined;
  const real = data && token ? joinCommands(role, data.ClusterAddr, token) : undefined;
  const shown = data && token ? joinCommands(role, data.ClusterAddr, revealed ? token : maskToken(token)) : undefined;
  const text = ROLE_TEXT[role];

  const doRotate = () =>
    rotate.mutate(role, {
      onSuccess: (body) => {
        qc.setQueryData(JOIN_TOKENS_KEY, body);
        setConfirming(false);
      },
    });

  return (
    <section className="join-role" aria-labelledby={`join-${role}-h`} data-role={role}>
      <div className="join-head">
        <h3 id={`join-${role}-h`}>{text.title}</h3>
        <span className="muted join-hint">{text.hint}</span>
        <button
          type="button"
          className="btn btn-small"
          aria-pressed={revealed}
          data-testid={`reveal-${role}-token`}
          disabled={!data}
          onClick={() => setRevealed((r) => !r)}
        >
          {revealed ? 'Hide token' : 'Reveal token'}
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid={`rotate-${role}-token`}
          disabled={!data || rotate.isPending || confirming}
          onClick={() => setConfirming(true)}
        >
          Rotate…
        </button>
      </div>
      <Command
        caption="Swarmdeck"
        shown={shown?.swarmdeck}
        real={real?.swarmdeck}
        testid={`${role}-join-command`}
        copyLabel={`Copy the ${role} join command`}
      />
      <Command
        caption="Docker CLI, against the new node's Swarmdeck engine"
        shown={shown?.docker}
        real={real?.docker}
        testid={`${role}-docker-join-command`}
        copyLabel={`Copy the docker ${role} join command`}
      />
      {/* one reserved line: the confirmation or an error replaces the note, nothing moves */}
      <div className="join-foot">
        {confirming ? (
          <>
            <span className="confirm-text">
              Rotate the {role} token? Joined nodes keep working; the old token stops admitting new ones.
            </span>
            <button
              type="button"
              className="btn btn-small btn-danger"
              data-testid={`confirm-rotate-${role}-token`}
              disabled={rotate.isPending}
              onClick={doRotate}
            >
              {rotate.isPending ? 'Rotating…' : 'Rotate'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              disabled={rotate.isPending}
              onClick={() => setConfirming(false)}
            >
              Cancel
            </button>
          </>
        ) : rotate.error ? (
          <span className="form-error" role="alert">
            {actionErrorText(rotate.error.message)}
          </span>
        ) : (
          <span className="muted">
            Equivalent to <span className="mono">docker swarm join-token --rotate {role}</span>.
          </span>
        )}
      </div>
    </section>
  );
}

/**
 * The join commands for this swarm. Tokens are fetched when the panel opens
 * (never pushed over the socket), shown masked until revealed, and dropped
 * from the query cache when it closes.
 */
export function AddNodePanel({ onClose }: { onClose: () => void }) {
  const tokens = useQuery({
    queryKey: JOIN_TOKENS_KEY,
    queryFn: () => getJson<JoinTokensBody>('/api/swarm/join-tokens'),
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
  const closeRef = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);
  // once, on open: live frames re-render the overview and must not steal focus
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCloseRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const data = tokens.data;
  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <aside className="drawer add-node-panel" role="dialog" aria-modal="true" aria-labelledby="add-node-h">
        <header className="drawer-head">
          <h2 id="add-node-h">Add a node</h2>
          <button
            ref={closeRef}
            type="button"
            className="btn btn-ghost drawer-close"
            aria-label="Close"
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <div className="drawer-body">
          <p className="drawer-intro">
            Run one of these on the machine that should join. Anyone holding a token can join this swarm: keep them
            secret, and rotate one if it leaks.
          </p>
          <p className="join-addr">
            <span className="muted">Manager cluster address </span>
            <span className="mono" data-testid="join-cluster-addr">
              {data?.ClusterAddr ?? '\u00a0'}
            </span>
          </p>
          {tokens.error ? (
            <p className="form-error" role="alert">
              Could not load the join tokens: {tokens.error.message}
            </p>
          ) : null}
          <JoinRole role="worker" data={data} />
          <JoinRole role="manager" data={data} />
        </div>
      </aside>
    </>
  );
}

/** The overview's "Add a node" button and the panel it opens (the join tokens: admins only). */
export function AddNodeButton() {
  return useMay('joinTokens') ? <AddNode /> : null;
}

function AddNode() {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => {
    setOpen(false);
    buttonRef.current?.focus();
  }, []);
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="btn"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(true)}
      >
        Add a node
      </button>
      {open ? <AddNodePanel onClose={close} /> : null}
    </>
  );
}

'use client';

import Link from 'next/link';
import { useRaftPanel } from './use-raft';

/** Header badge: "Quorum 3/3 · term 4"; warns while electing, red once the quorum is lost. */
export function QuorumBadge() {
  const { view, single } = useRaftPanel();
  let text = '\u00a0';
  let tone = 'neutral';
  let title = 'Loading the raft group';
  if (view && single) {
    text = 'Single manager';
    title = 'This manager keeps its own log; no raft group is running';
  } else if (view && !view.hasQuorum) {
    text = 'Quorum lost';
    tone = 'bad';
    title = `${view.quorum.reachableVoters} of ${view.quorum.voters} managers reachable, ${view.quorum.majority} needed`;
  } else if (view && !view.leader) {
    text = `Electing · term ${view.term}`;
    tone = 'warn';
    title = 'No leader right now: an election is in progress';
  } else if (view) {
    text = `Quorum ${view.quorum.reachableVoters}/${view.quorum.voters} · term ${view.term}`;
    tone = 'ok';
    title = `${view.quorum.majority} of ${view.quorum.voters} managers make a quorum`;
  }
  return (
    <Link href="/raft" className="quorum-badge num" data-tone={tone} data-testid="quorum-badge" title={title}>
      {text}
    </Link>
  );
}

/** Across the top of every page while the quorum is lost; the page below keeps its last-known state. */
export function QuorumBanner() {
  const { view, single } = useRaftPanel();
  if (!view || single || view.hasQuorum) return null;
  const q = view.quorum;
  return (
    <div className="quorum-banner" role="alert" data-testid="quorum-banner">
      <strong>Quorum lost: changes are blocked.</strong>{' '}
      <span>
        {q.reachableVoters} of {q.voters} managers reachable, {q.majority} needed. What you see is the last-known state.
      </span>{' '}
      <Link href="/raft">Raft details</Link>
    </div>
  );
}

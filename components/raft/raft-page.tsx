'use client';

import { useCallback } from 'react';
import { nodeName } from '../cluster/derive';
import { useClusterView } from '../realtime/use-cluster';
import { formatBytes, shortID } from '../time/format';
import { Badge } from '../ui/badge';
import { quorumHint, quorumSentence, ROLE_LABEL, ROLE_TONE, servedByRole } from './derive';
import { ManagersTable } from './managers-table';
import { FailedEntries } from './failed-entries';
import { StalledReplication } from './stalled-replication';
import { RaftEvents } from './raft-events';
import { useRaftPanel } from './use-raft';
import { useTaskScope } from '../realtime/task-scope';

export function RaftPage() {
  useTaskScope([]); // no task drawn here
  const { view, events, receivedAt, single } = useRaftPanel();
  const nodes = useClusterView().tables.node;
  const names = useCallback(
    (id: string) => {
      const host = view?.members.find((m) => m.raftId === id)?.hostname ?? nodeName(nodes.get(id), id);
      // managers on one machine share a hostname: tell them apart by ID
      const shared = (view?.members.filter((m) => m.hostname === host).length ?? 0) > 1;
      return shared ? `${host} (${shortID(id)})` : host;
    },
    [view, nodes],
  );
  const self = view?.members.find((m) => m.self);
  const leaderName = view?.leader ? names(view.leader) : '';

  return (
    <div className="page raft-page">
      <div className="page-head">
        <h1>Raft</h1>
        {view ? <Badge tone={ROLE_TONE[view.role]}>{`this manager: ${ROLE_LABEL[view.role]}`}</Badge> : null}
        <span className="page-head-fill" />
      </div>

      <section className="stat-row raft-stats" aria-label="Raft summary">
        <div className="stat card quorum-stat" data-has-quorum={view ? view.hasQuorum : undefined}>
          <div
            className="stat-value quorum-sentence"
            data-testid="quorum-sentence"
            title={view ? quorumSentence(view) : undefined}
          >
            {view ? quorumSentence(view) : <span className="skeleton" />}
          </div>
          <div className="stat-label">{view ? quorumHint(view) : '\u00a0'}</div>
        </div>
        <Stat
          label="Leader"
          value={view ? leaderName || (view.hasQuorum ? 'none (electing)' : 'none') : ''}
          testid="raft-leader"
        />
        <Stat label="Term" value={view ? (single ? '—' : String(view.term)) : ''} />
        <Stat label="Commit / applied" value={view ? `${view.commit} / ${view.applied}` : ''} />
        <Stat
          label="Snapshot index · size"
          value={view ? (single ? '—' : `${view.snapshot.index} · ${formatBytes(view.snapshot.bytes)}`) : ''}
          testid="raft-snapshot"
        />
      </section>

      <p className="served-by" data-testid="served-by">
        {!view ? (
          '\u00a0'
        ) : single ? (
          <>
            This console is served by <strong>{self?.hostname ?? 'this manager'}</strong> (single manager: it keeps its
            own log, no raft group is running).
          </>
        ) : (
          <>
            This console is served by <strong>{names(view.observedBy)}</strong> ({servedByRole(view.role)}).
          </>
        )}
      </p>

      <FailedEntries view={view} />
      <StalledReplication view={view} />

      <section aria-labelledby="managers-h" className="section">
        <div className="section-head">
          <h2 id="managers-h">Managers</h2>
          <span className="muted section-note">
            {view && !single
              ? view.role === 'leader'
                ? 'Match index and lag: this leader’s replication progress. Commit and applied: this manager.'
                : 'Match index and lag are known to the leader only. Commit and applied: this manager.'
              : '\u00a0'}
          </span>
        </div>
        <ManagersTable view={view} receivedAt={receivedAt} single={single} />
      </section>

      <section aria-labelledby="events-h" className="section">
        <h2 id="events-h">Events</h2>
        <RaftEvents events={events} view={view} names={names} />
      </section>
    </div>
  );
}

function Stat({ label, value, testid }: { label: string; value: string; testid?: string }) {
  return (
    <div className="stat card">
      <div className="stat-value num ellipsis" data-testid={testid} title={value}>
        {value || <span className="skeleton" />}
      </div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

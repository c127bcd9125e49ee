'use client';

import type { RaftMemberView, RaftView } from '@/server/api/raft-view';
import { shortID } from '../time/format';
import { useNow } from '../time/now';
import { Badge } from '../ui/badge';
import { SkeletonRows } from '../ui/skeleton';
import { lastContactText, memberTerm, ROLE_LABEL, ROLE_TONE } from './derive';

const DASH = '—';

/** One row per manager; the leader's row carries data-role="leader". Fixed widths: a new leader moves no column. */
export function ManagersTable({
  view,
  receivedAt,
  single,
}: {
  view: RaftView | null;
  receivedAt: number;
  single: boolean;
}) {
  const now = useNow();
  return (
    <div className="table-wrap">
      <table className="data-table raft-table" aria-label="Managers">
        <thead>
          <tr>
            <th className="col-host">Manager</th>
            <th className="col-role">Role</th>
            <th className="col-reach">Reachable</th>
            <th className="col-n">Term</th>
            <th className="col-n">Commit</th>
            <th className="col-n">Applied</th>
            <th className="col-n" title="Highest log index the leader knows this member holds">
              Match
            </th>
            <th className="col-n" title="Entries behind the leader's last index">
              Lag
            </th>
            <th className="col-contact">Last contact</th>
            <th className="col-addr">Address</th>
          </tr>
        </thead>
        <tbody>
          {!view ? <SkeletonRows rows={3} cols={10} /> : null}
          {view?.members.length === 0 ? (
            <tr>
              <td className="empty" colSpan={10}>
                No managers known yet
              </td>
            </tr>
          ) : null}
          {view?.members.map((m) => (
            <MemberRow key={m.raftId} view={view} m={m} contact={lastContactText(m, receivedAt, now)} single={single} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MemberRow({
  view,
  m,
  contact,
  single,
}: {
  view: RaftView;
  m: RaftMemberView;
  contact: string;
  single: boolean;
}) {
  const term = single ? undefined : memberTerm(view, m);
  const lagTone = m.lag === undefined ? undefined : m.lag === 0 ? 'ok' : m.lag > 100 ? 'bad' : 'warn';
  return (
    <tr
      className="raft-row"
      data-role={m.role}
      data-self={m.self || undefined}
      data-reachable={m.reachable}
      data-node-id={m.nodeID}
      data-testid={`raft-member-${m.hostname}`}
      aria-label={`${m.hostname}: ${ROLE_LABEL[m.role]}${m.reachable ? '' : ', unreachable'}`}
    >
      <td className="ellipsis" title={`${m.hostname} (${m.nodeID})`}>
        <span className="strong">{m.hostname}</span> <span className="mono muted member-id">{shortID(m.nodeID)}</span>
        {m.self ? <span className="self-mark">this console</span> : null}
      </td>
      <td>
        <Badge tone={ROLE_TONE[m.role]}>{ROLE_LABEL[m.role]}</Badge>
      </td>
      <td>
        <span className="reach">
          <span className="status-dot" data-tone={m.reachable ? 'ok' : 'bad'} aria-hidden="true" />
          {m.reachable ? 'reachable' : 'unreachable'}
        </span>
      </td>
      <td className="num-cell">{term ?? DASH}</td>
      <td className="num-cell">{m.self ? view.commit : DASH}</td>
      <td className="num-cell">{m.self ? view.applied : DASH}</td>
      <td className="num-cell">{m.matchIndex ?? DASH}</td>
      <td className="num-cell" data-tone={lagTone}>
        {m.lag ?? DASH}
      </td>
      <td className="ellipsis muted" data-testid="last-contact">
        {contact}
      </td>
      <td className="ellipsis mono muted" title={m.addr}>
        {m.addr || DASH}
      </td>
    </tr>
  );
}

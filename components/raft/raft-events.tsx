'use client';

import type { RaftEvent, RaftView } from '@/server/api/raft-view';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { EVENT_TONE, eventText } from './derive';

const KIND_LABEL: Record<RaftEvent['kind'], string> = {
  'leader-elected': 'leader',
  'leader-lost': 'leader',
  'member-added': 'member',
  'member-promoted': 'member',
  'member-removed': 'member',
  'quorum-lost': 'quorum',
  'quorum-regained': 'quorum',
};

/** Newest first; each row has a fixed height so a new event never reflows the page below. */
export function RaftEvents({
  events,
  view,
  names,
}: {
  events: RaftEvent[];
  view: RaftView | null;
  names: (id: string) => string;
}) {
  const newestFirst = [...events].reverse();
  // it scrolls: focusable, so a keyboard can scroll it too
  return (
    <div className="card raft-events scroll-region" tabIndex={0} role="region" aria-label="Raft events">
      <ol className="timeline" aria-label="Raft events, newest first" data-testid="raft-events">
        {newestFirst.length === 0 ? (
          <li className="timeline-empty muted">
            {view ? 'No leader changes or membership changes seen since this manager started.' : '\u00a0'}
          </li>
        ) : null}
        {newestFirst.map((e, i) => (
          <li
            key={`${e.at}/${e.kind}/${e.member ?? ''}/${newestFirst.length - i}`}
            className="timeline-row"
            data-kind={e.kind}
          >
            <span className="timeline-dot" data-tone={EVENT_TONE[e.kind]} aria-hidden="true" />
            <span className="timeline-kind">
              <Badge tone={EVENT_TONE[e.kind]}>{KIND_LABEL[e.kind]}</Badge>
            </span>
            <span className="timeline-text ellipsis">{eventText(e, names)}</span>
            <span className="timeline-term num muted">term {e.term}</span>
            <span className="timeline-age">
              <Age at={e.at} />
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

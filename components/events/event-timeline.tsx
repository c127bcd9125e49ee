'use client';

import { useState } from 'react';
import { eventMillis, type LoggedEvent } from '@/server/api/events';
import { Age } from '../ui/age';
import { Badge } from '../ui/badge';
import { eventText, eventTone, notableEvent } from './event-text';

/**
 * A service's or a node's events from the cluster's event log (the one
 * `docker events` reads), newest first; fixed-height rows, as the Raft panel's.
 */
export function EventTimeline({
  title,
  events,
  loaded,
}: {
  title: string;
  events: readonly LoggedEvent[] | undefined;
  loaded: boolean;
}) {
  const [allTasks, setAllTasks] = useState(false);
  const shown = (events ?? []).filter((l) => allTasks || notableEvent(l.event));
  const newestFirst = [...shown].reverse();
  return (
    <section className="section event-timeline" aria-labelledby="event-timeline-h">
      <div className="section-head">
        <h2 id="event-timeline-h">
          {title} <span className="muted num">{events ? `${shown.length} of ${events.length}` : ''}</span>
        </h2>
        <div className="event-timeline-tools">
          <span className="muted section-hint">
            from the event log · <span className="mono">docker events</span>
          </span>
          <label className="switch">
            <input type="checkbox" checked={allTasks} onChange={(e) => setAllTasks(e.target.checked)} />
            <span>Show every task state</span>
          </label>
        </div>
      </div>
      {/* it scrolls: focusable, so a keyboard can scroll it too */}
      <div className="card event-timeline-card scroll-region" tabIndex={0} role="region" aria-label="Event timeline">
        <ol className="timeline" data-testid="event-timeline">
          {newestFirst.length === 0 ? (
            <li className="timeline-empty muted">{loaded && events ? 'No events in the log.' : '\u00a0'}</li>
          ) : null}
          {newestFirst.map(({ index, seq, event: e }) => (
            <li key={`${index}/${seq}`} className="timeline-row" data-type={e.Type} data-action={e.Action}>
              <span className="timeline-dot" data-tone={eventTone(e)} aria-hidden="true" />
              <span className="timeline-kind">
                <Badge tone={eventTone(e)}>{e.Type === 'task' ? 'task' : e.Action}</Badge>
              </span>
              <span className="timeline-text ellipsis" title={eventText(e)}>
                {eventText(e)}
              </span>
              <span className="timeline-term num muted" title="raft log index of the change">
                #{index}
              </span>
              <span className="timeline-age">
                <Age at={new Date(eventMillis(e)).toISOString()} />
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

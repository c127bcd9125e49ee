'use client';

import { tickerFetchCount, tickerRows } from './ticker-model';
import { useRecentEvents } from './use-recent-events';

/** The event ticker: the cluster's newest events, newest first, in large type; a new one slides in at the top. */
export function WallTicker({ index, rows }: { index: number; rows: number }) {
  const q = useRecentEvents(index, tickerFetchCount(rows));
  const list = tickerRows(q.data?.events ?? [], rows);
  if (q.data && list.length === 0) return <p className="wall-empty">No events yet</p>;
  return (
    <ol className="wall-ticker" aria-label="Cluster events, newest first" data-testid="wall-ticker">
      {list.map((r) => (
        <li key={r.key} className="wall-ticker-row" data-tone={r.tone} data-type={r.type}>
          <span className="wall-ticker-time num">{r.time}</span>
          <span className="wall-ticker-type">{r.type}</span>
          <span className="wall-ticker-text">{r.text}</span>
        </li>
      ))}
    </ol>
  );
}

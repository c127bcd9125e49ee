'use client';

import { memo, useState } from 'react';
import { enteringRows, tickerFetchCount, tickerRows } from './ticker-model';
import { useRecentEvents } from './use-recent-events';

const NONE: ReadonlySet<string> = new Set();

/** The event ticker: the cluster's newest events, newest first, in large type; a few new ones slide in at the top. */
export const WallTicker = memo(function WallTicker({ index, rows }: { index: number; rows: number }) {
  const q = useRecentEvents(index, tickerFetchCount(rows));
  const list = tickerRows(q.data?.events ?? [], rows);
  // which rows are new since the last drawing (kept in state: adjusted while rendering, as React advises)
  const signature = list.map((r) => r.key).join(' ');
  const [drawn, setDrawn] = useState<{ signature: string; keys?: ReadonlySet<string>; entering: ReadonlySet<string> }>({
    signature: '',
    entering: NONE,
  });
  if (drawn.signature !== signature)
    setDrawn({
      signature,
      ...(q.data ? { keys: new Set(list.map((r) => r.key)) } : {}),
      entering: q.data ? enteringRows(drawn.keys, list) : NONE,
    });
  if (q.data && list.length === 0) return <p className="wall-empty">No events yet</p>;
  return (
    <ol className="wall-ticker" aria-label="Cluster events, newest first" data-testid="wall-ticker">
      {list.map((r) => (
        <li
          key={r.key}
          className="wall-ticker-row"
          data-tone={r.tone}
          data-type={r.type}
          data-entering={drawn.entering.has(r.key) || undefined}
        >
          <span className="wall-ticker-time num">{r.time}</span>
          <span className="wall-ticker-type">{r.type}</span>
          <span className="wall-ticker-text">{r.text}</span>
        </li>
      ))}
    </ol>
  );
});

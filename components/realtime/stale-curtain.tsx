'use client';

import { useNow } from '../time/now';
import { useConnection } from './connection';
import { staleLabel } from './staleness';

/**
 * When the live stream has stopped, everything on screen is dimmed and
 * greyed and a label says since when, so a frozen page never looks live.
 * It takes no clicks (pointer-events: none) and the page under it stays
 * readable: the console remains usable on a laptop; the wall dims harder.
 */
export function StaleCurtain({ variant }: { variant: 'console' | 'wall' }) {
  const { status, since } = useConnection();
  const now = useNow();
  if (status !== 'stale' || !now) return null;
  const label = staleLabel(since, Math.max(now, since));
  const [head, age] = [label.slice(0, label.indexOf(' (')), label.slice(label.indexOf(' ('))];
  return (
    <div className="stale-curtain" data-variant={variant} data-testid="stale-curtain">
      <div className="stale-label" role="alert">
        <span className="stale-dot" aria-hidden="true" />
        <span>
          <strong className="stale-head">{head}</strong>
          {/* the age ticks every second: kept out of the announcement */}
          <span className="num" aria-hidden="true">
            {age}
          </span>
          <span className="stale-why">No updates from the manager; what is shown may be out of date.</span>
        </span>
      </div>
    </div>
  );
}

'use client';

import { useNow } from '../time/now';
import { humanDuration } from '../time/format';
import { useConnection } from './connection';

const TEXT = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', stale: 'Stale' } as const;

/** Header badge: is what the page shows still being pushed to us? */
export function ConnectionIndicator() {
  const { status, since } = useConnection();
  const now = useNow();
  const detail =
    status === 'stale' && since && now
      ? `nothing received for ${humanDuration(now - since)}; data may be out of date`
      : status === 'live'
        ? 'receiving changes as they are committed'
        : status === 'reconnecting'
          ? 'connection lost, retrying'
          : 'opening the live connection';
  return (
    <div className="conn" data-status={status} role="status" aria-live="polite" title={detail}>
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-text">{TEXT[status]}</span>
      <span className="sr-only">: {detail}</span>
    </div>
  );
}

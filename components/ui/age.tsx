'use client';

import { useNow } from '../time/now';
import { ago } from '../time/format';

/** "12 seconds ago", ticking with the shared 1 s clock; full timestamp on hover. */
export function Age({ at, prefix = '' }: { at: string | undefined; prefix?: string }) {
  const now = useNow();
  const text = ago(at, now);
  return (
    <time className="age num" dateTime={at} title={at}>
      {prefix}
      {text || '\u00a0'}
    </time>
  );
}

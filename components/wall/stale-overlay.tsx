'use client';

import { StaleCurtain } from '../realtime/stale-curtain';

/** The wall's full-screen dim when its stream stops (see StaleCurtain). */
export function StaleOverlay() {
  return <StaleCurtain variant="wall" />;
}

'use client';

import { useQuery } from '@tanstack/react-query';
import type { RecentEventsBody } from '@/server/api/events';
import { getJson } from '../api/client';
import { useThrottled } from '../events/use-object-events';

/** Minimum gap between two reads while a busy cluster streams changes in. */
const THROTTLE_MS = 500;

/**
 * The cluster's newest `count` notable events, from the event log the console's
 * timelines read; read again when the socket brings a new entry (`index`):
 * pushed, never polled.
 */
export function useRecentEvents(index: number, count: number) {
  const at = useThrottled(index, THROTTLE_MS);
  return useQuery({
    queryKey: ['recent-events', count, at],
    queryFn: () => getJson<RecentEventsBody>(`/api/events?recent=${count}`),
    enabled: at > 0,
    staleTime: Infinity,
    // the last answer stays on screen while the next one loads: no flicker
    placeholderData: (prev) => prev,
  });
}

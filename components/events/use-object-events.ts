'use client';

import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { EventSubject, ObjectEventsBody } from '@/server/api/events';
import type { Task } from '@/server/api/types';
import { getJson } from '../api/client';

// A timeline is read from the cluster's event log over HTTP, and read again
// when the socket brings a change of its subject or of one of its tasks (the
// only changes that make its events): pushed, never polled.

/** What the subject's events depend on: its version and its tasks' (a removed task changes the count). */
export function eventsStamp(version: number | undefined, tasks: readonly Task[]): string {
  let max = 0;
  for (const t of tasks) if (t.Version.Index > max) max = t.Version.Index;
  return `${version ?? 0}/${tasks.length}/${max}`;
}

/** Minimum gap between two reads while a rollout streams changes in. */
const THROTTLE_MS = 500;

export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    const t = setTimeout(
      () => {
        last.current = Date.now();
        setShown(value);
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(t);
  }, [value, ms]);
  return shown;
}

export function useObjectEvents(subject: EventSubject | undefined, stamp: string) {
  const at = useThrottled(stamp, THROTTLE_MS);
  return useQuery({
    queryKey: ['object-events', subject?.kind, subject?.id, at],
    queryFn: () => getJson<ObjectEventsBody>(`/api/events?${subject!.kind}=${encodeURIComponent(subject!.id)}`),
    enabled: !!subject,
    staleTime: Infinity,
    // keep the last answer on screen while the next one loads: no flicker
    placeholderData: (prev) => (prev?.subject.id === subject?.id ? prev : undefined),
  });
}

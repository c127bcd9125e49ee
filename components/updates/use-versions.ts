'use client';

import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ServiceVersionsBody, UpdateServiceForm } from '@/server/api/console';
import type { ServiceVersion } from '@/server/api/types';
import { getJson, sendJson } from '../api/client';
import { clusterStore } from '../realtime/client-store';

// Spec history is not on the socket (see server/api/realtime.ts): it is fetched
// here and refetched when the socket says a service's history changed.

const ROOT = 'service-versions';
export const versionsKey = (serviceID: string) => [ROOT, serviceID] as const;
export const versionKey = (serviceID: string, versionID: string) => [ROOT, serviceID, versionID] as const;
const svcPath = (id: string) => `/api/services/${encodeURIComponent(id)}`;

export function useServiceVersions(serviceID: string | undefined) {
  return useQuery({
    queryKey: versionsKey(serviceID ?? ''),
    queryFn: () => getJson<ServiceVersionsBody>(`${svcPath(serviceID!)}/versions`),
    enabled: !!serviceID,
    staleTime: Infinity,
    // keep showing the last answer while a refetch runs: no flicker while an update streams in
    placeholderData: (prev) => (prev?.ServiceID === serviceID ? prev : undefined),
  });
}

/** One version with its rollout event log. */
export function useServiceVersion(serviceID: string | undefined, versionID: string | undefined) {
  return useQuery({
    queryKey: versionKey(serviceID ?? '', versionID ?? ''),
    queryFn: () => getJson<ServiceVersion>(`${svcPath(serviceID!)}/versions/${encodeURIComponent(versionID!)}`),
    enabled: !!serviceID && !!versionID,
    staleTime: Infinity,
    placeholderData: (prev) => (prev?.ServiceID === serviceID ? prev : undefined),
  });
}

/** Minimum gap between two refetches of one service's history while notices stream in. */
const THROTTLE_MS = 250;

/**
 * Refetch spec history when the socket reports a change (throttled: a fast
 * rollout changes its record many times a second), and all of it after a snapshot.
 */
export function useVersionNotices(): void {
  const client = useQueryClient();
  useEffect(() => {
    let pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      const ids = pending;
      pending = new Set();
      for (const id of ids) void client.invalidateQueries({ queryKey: [ROOT, id] });
    };
    const off = clusterStore.onVersionsChanged((changed) => {
      if (changed === 'all') {
        pending.clear();
        void client.invalidateQueries({ queryKey: [ROOT] });
        return;
      }
      for (const id of changed) pending.add(id);
      if (timer) return;
      flush();
      const tick = () => {
        if (pending.size === 0) {
          timer = undefined;
          return;
        }
        flush();
        timer = setTimeout(tick, THROTTLE_MS);
      };
      timer = setTimeout(tick, THROTTLE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client]);
}

// Rollout actions only write; what they change comes back over the socket.
export type RolloutAction = 'resume' | 'rollback' | 'force-continue';

export const useRolloutAction = (serviceID: string) =>
  useMutation({ mutationFn: (op: RolloutAction) => sendJson('POST', `${svcPath(serviceID)}/${op}`) });

export const useRestoreVersion = (serviceID: string) =>
  useMutation({
    mutationFn: (versionID: string) => sendJson('POST', `${svcPath(serviceID)}/restore`, { versionID }),
  });

export const useStartUpdate = (serviceID: string) =>
  useMutation({ mutationFn: (form: UpdateServiceForm) => sendJson('POST', `${svcPath(serviceID)}/update`, form) });

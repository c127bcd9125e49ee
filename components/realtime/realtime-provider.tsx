'use client';

import { useEffect, useRef, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { io, type Socket } from 'socket.io-client';
import {
  REALTIME_PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ConsoleState,
  type ServerToClientEvents,
  type TaskScope,
} from '@/server/api/realtime';
import { getJson } from '../api/client';
import { useSession } from '../session/session-provider';
import { raftStore } from '../raft/raft-store';
import { sampleStore } from '../charts/sample-store';
import { clusterStore } from './client-store';
import { frameHeard, linkChanged, startWatchdog } from './connection';
import { countsStore } from './counts-store';
import { scopeKey, taskScopes } from './task-scope';

export const STATE_QUERY_KEY = ['console-state'] as const;

/**
 * First load over HTTP (React Query), then the socket keeps the same store
 * current. No polling: after the first load every change is pushed.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const { recheck } = useSession();
  const first = useQuery({
    queryKey: STATE_QUERY_KEY,
    // what the page's components declared they draw, if they did already (else every task: the store narrows after)
    queryFn: () => {
      const scope = taskScopes.current();
      const query = scope === 'all' ? '' : `?services=${scope.services.join(',')}`;
      return getJson<ConsoleState & { tasks?: TaskScope }>(`/api/state${query}`);
    },
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const data = first.data;
  /** Make the store hold the tasks the page draws (the socket effect sets it: it may ask the server). */
  const ensureHeld = useRef<() => void>(() => undefined);
  useEffect(() => {
    if (!data) return;
    if (data.raft) raftStore.apply(data.raft, Date.now());
    // this load may be older in scope than a socket snapshot it replaced: keep only, or ask for, what the page draws
    if (clusterStore.applySnapshot(data)) ensureHeld.current();
  }, [data]);

  useEffect(() => {
    /** The scope the server was last told (the handshake's, or the last `scope` message's). */
    let sentScope = '';
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      transports: ['websocket'],
      // re-evaluated on every (re)connect: resume from what we hold, if it holds the tasks the page draws
      auth: (cb) => {
        const tasks = taskScopes.current();
        sentScope = scopeKey(tasks);
        const resume = clusterStore.getView().loaded && clusterStore.narrowTasks(tasks);
        const v = REALTIME_PROTOCOL_VERSION;
        cb(resume ? { v, since: clusterStore.getView().index, tasks } : { v, tasks });
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    const stopWatchdog = startWatchdog();
    // after any snapshot: a store that does not hold the page's tasks (a first load that raced the socket's
    // snapshot of a wider scope, and won) asks the server for a snapshot of that scope
    ensureHeld.current = () => {
      const tasks = taskScopes.current();
      if (!clusterStore.getView().loaded || clusterStore.narrowTasks(tasks)) return;
      if (!socket.connected) return; // the next handshake asks for a snapshot
      sentScope = scopeKey(tasks);
      socket.emit('scope', tasks);
    };
    // a holder of the tasks (the wall's worker) let them go: the store holds none, and asks again
    const stopDropped = clusterStore.onTasksDropped(() => ensureHeld.current());
    // the page's task scope changed (a page or panel mounted or left): tell the server, which
    // answers with a snapshot of the new scope; a narrower one is dropped here at once
    let scopeTimer: ReturnType<typeof setTimeout> | undefined;
    const stopScopes = taskScopes.subscribe(() => {
      // a navigation unmounts one page and mounts the next in one commit: send their net scope once
      clearTimeout(scopeTimer);
      scopeTimer = setTimeout(() => {
        const tasks = taskScopes.current();
        if (scopeKey(tasks) === sentScope) return;
        clusterStore.narrowTasks(tasks);
        if (!socket.connected) return; // the next handshake carries it
        sentScope = scopeKey(tasks);
        socket.emit('scope', tasks);
      }, 0);
    });
    const lost = () => linkChanged(false);
    let connectedBefore = false;
    socket.on('connect', () => {
      linkChanged(true);
      // back after a drop: the drop may have been the server's answer to a changed role
      if (connectedBefore) recheck();
      connectedBefore = true;
    });
    socket.on('disconnect', (reason) => {
      lost();
      if (reason === 'io server disconnect') {
        // the server hung up on purpose: a restart, or our session ended (logged out, link revoked)
        recheck();
        // socket.io will not retry by itself; a refused handshake then rechecks again
        socket.connect();
      }
    });
    socket.on('connect_error', (err) => {
      lost();
      // "log in first" / "permission denied …": the session is gone; the gate takes the page away
      if (/log in|permission|session|revoked|expired/i.test(err.message)) recheck();
    });
    socket.on('beat', frameHeard);
    socket.on('snapshot', (frame) => {
      frameHeard();
      if (frame.v !== REALTIME_PROTOCOL_VERSION) {
        window.location.reload(); // the server was upgraded under us
        return;
      }
      if (frame.raft) raftStore.apply(frame.raft, Date.now());
      clusterStore.applySnapshot(frame);
      ensureHeld.current();
    });
    socket.on('raft', (frame) => {
      frameHeard();
      raftStore.apply(frame, Date.now());
    });
    socket.on('metrics', (frame) => {
      frameHeard();
      sampleStore.apply(frame);
    });
    socket.on('counts', (frame) => {
      frameHeard();
      countsStore.apply(frame);
    });
    socket.on('changes', (frame) => {
      frameHeard();
      if (clusterStore.applyChanges(frame) === 'gap') {
        // we missed entries: reconnect with `since` and let the server fill the gap
        socket.disconnect().connect();
      }
    });
    return () => {
      ensureHeld.current = () => undefined;
      stopDropped();
      stopScopes();
      clearTimeout(scopeTimer);
      stopWatchdog();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [recheck]);

  return <>{children}</>;
}

'use client';

import { useEffect, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { io, type Socket } from 'socket.io-client';
import {
  REALTIME_PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ConsoleState,
  type ServerToClientEvents,
} from '@/server/api/realtime';
import { getJson } from '../api/client';
import { useSession } from '../session/session-provider';
import { raftStore } from '../raft/raft-store';
import { sampleStore } from '../charts/sample-store';
import { clusterStore } from './client-store';
import { frameHeard, linkChanged, startWatchdog } from './connection';

export const STATE_QUERY_KEY = ['console-state'] as const;

/**
 * First load over HTTP (React Query), then the socket keeps the same store
 * current. No polling: after the first load every change is pushed.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const { recheck } = useSession();
  const first = useQuery({
    queryKey: STATE_QUERY_KEY,
    queryFn: () => getJson<ConsoleState>('/api/state'),
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const data = first.data;
  useEffect(() => {
    if (!data) return;
    if (data.raft) raftStore.apply(data.raft, Date.now());
    clusterStore.applySnapshot(data);
  }, [data]);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      transports: ['websocket'],
      // re-evaluated on every (re)connect: resume from what we hold
      auth: (cb) => {
        const view = clusterStore.getView();
        cb(view.loaded ? { v: REALTIME_PROTOCOL_VERSION, since: view.index } : { v: REALTIME_PROTOCOL_VERSION });
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    const stopWatchdog = startWatchdog();
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
    });
    socket.on('raft', (frame) => {
      frameHeard();
      raftStore.apply(frame, Date.now());
    });
    socket.on('metrics', (frame) => {
      frameHeard();
      sampleStore.apply(frame);
    });
    socket.on('changes', (frame) => {
      frameHeard();
      if (clusterStore.applyChanges(frame) === 'gap') {
        // we missed entries: reconnect with `since` and let the server fill the gap
        socket.disconnect().connect();
      }
    });
    return () => {
      stopWatchdog();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [recheck]);

  return <>{children}</>;
}

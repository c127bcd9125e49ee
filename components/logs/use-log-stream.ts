'use client';

import { useEffect, useRef, useState } from 'react';
import type { LogMessage, LogStreamEvent } from '@/server/api/logs';
import { LogBuffer, splitNdjson } from './log-buffer';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';

export interface LogScope {
  serviceID: string;
  /** Only this task (`docker service logs <task>`). */
  taskID?: string;
}

const TAIL = 1_000;
const RECONNECT_MS = 2_000;
/** Re-renders at most this often while lines pour in. */
const RENDER_EVERY_MS = 100;

/**
 * Follows a service's (or one task's) logs from `/api/logs` (NDJSON) into a
 * bounded LogBuffer. A broken stream (a leader change, a restart) reconnects
 * from the last line's time, skipping the lines it already holds.
 */
export function useLogStream(scope: LogScope | undefined): {
  buffer: LogBuffer;
  version: number;
  status: StreamStatus;
  message: string;
} {
  const [buffer, setBuffer] = useState(() => new LogBuffer());
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [message, setMessage] = useState('');
  const bufRef = useRef(buffer);
  const key = scope ? `${scope.serviceID}/${scope.taskID ?? ''}` : '';

  useEffect(() => {
    if (!scope) return;
    const buf = new LogBuffer();
    bufRef.current = buf;
    setBuffer(buf);
    setVersion(0);
    setStatus('connecting');
    setMessage('');
    let stopped = false;
    let abort: AbortController | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let renderTimer: ReturnType<typeof setTimeout> | undefined;
    const render = () => {
      renderTimer ??= setTimeout(() => {
        renderTimer = undefined;
        if (!stopped) setVersion(buf.version);
      }, RENDER_EVERY_MS);
    };

    const connect = async (resume: boolean) => {
      abort = new AbortController();
      const q = new URLSearchParams(scope.taskID ? { task: scope.taskID } : { service: scope.serviceID });
      const last = buf.lastTime;
      if (resume && last) {
        q.set('since', String(Date.parse(last)));
        q.set('tail', 'all');
      } else q.set('tail', String(TAIL));
      let ended = false;
      try {
        const r = await fetch(`/api/logs?${q}`, { signal: abort.signal, cache: 'no-store' });
        if (!r.ok) {
          const body = (await r.json().catch(() => undefined)) as { message?: string } | undefined;
          const text = body?.message ?? `${r.status} ${r.statusText}`;
          if (r.status === 404 || r.status === 400) {
            setStatus('error');
            setMessage(text);
            return;
          }
          throw new Error(text);
        }
        setStatus('live');
        setMessage('');
        const reader = r.body!.getReader();
        const decoder = new TextDecoder();
        let pending = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done || stopped) break;
          const { lines, rest } = splitNdjson(pending, decoder.decode(value, { stream: true }));
          pending = rest;
          const batch: LogMessage[] = [];
          for (const l of lines) {
            const e = JSON.parse(l) as LogStreamEvent;
            if ('m' in e) {
              if (!resume || !buf.has(e.m)) batch.push(e.m);
            } else if ('end' in e) {
              ended = true;
              if (e.end.warning) setMessage(e.end.warning);
            } else if ('error' in e) setMessage(e.error);
          }
          if (batch.length) {
            buf.add(batch);
            render();
          }
        }
      } catch (err) {
        if (stopped) return;
        setMessage(err instanceof Error ? err.message : String(err));
      }
      if (stopped) return;
      // a follow stream only ends when something broke: pick it up again
      setStatus('reconnecting');
      if (!ended) setMessage((m) => m || 'the log stream was interrupted');
      retry = setTimeout(() => void connect(true), RECONNECT_MS);
    };
    void connect(false);
    return () => {
      stopped = true;
      abort?.abort();
      if (retry) clearTimeout(retry);
      if (renderTimer) clearTimeout(renderTimer);
    };
    // the scope's identity is its key
  }, [key]);

  return { buffer, version, status, message };
}

// The logs the Engine API and the console get on any manager: the local
// broker while this manager leads; otherwise a log session on the leader,
// long-polled over the cluster transport (follow streams too), as swarmkit
// proxies LogBroker calls to the leader.

import { SwarmError, errorFromWire, rpcError } from '../../api/errors';
import type {
  LogBrokerRequest,
  LogOptions,
  LogSelector,
  LogSessionOpened,
  LogSessionPage,
  LogSink,
  LogsApi,
} from '../../api/logs';
import type { LogBroker } from './broker';

export interface LogsLeaderLink {
  selfID: string;
  /** The leader's raft ID ('' or undefined while none is known). */
  leader(): string | undefined;
  request(to: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

export interface ForwardingLogsOptions {
  requestTimeoutMs?: number;
  pollWaitMs?: number;
  /**
   * Longest the pump waits for a slow reader before it polls anyway: the
   * leader drops a session not polled for 45 s (the reader's own stream
   * bounds what that adds).
   */
  readerWaitMs?: number;
}

function requestError(err: unknown): SwarmError {
  if (err instanceof SwarmError) return err;
  const e = err as { kind?: unknown; code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.kind === 'remote') return errorFromWire({ code: e.code, message });
  return rpcError('Unavailable', `the leader did not answer: ${message}`);
}

function waitAtMost(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

export function forwardingLogs(
  local: () => LogBroker | undefined,
  link: LogsLeaderLink,
  opts: ForwardingLogsOptions = {},
): LogsApi {
  const requestTimeoutMs = opts.requestTimeoutMs ?? 5_000;
  const pollWaitMs = opts.pollWaitMs ?? 10_000;
  const readerWaitMs = opts.readerWaitMs ?? 20_000;
  const call = async (to: string, req: LogBrokerRequest, ms: number) => {
    try {
      return await link.request(to, req, ms);
    } catch (err) {
      throw requestError(err);
    }
  };

  return {
    async subscribe(selector: LogSelector, options: LogOptions, sink: LogSink): Promise<() => void> {
      const broker = local();
      if (broker) return broker.open(selector, options, sink);
      const leader = link.leader();
      if (!leader || leader === link.selfID)
        throw rpcError('Unavailable', 'no leader is known; logs are served by the leader');
      const { session } = (await call(
        leader,
        { logbroker: 'open', selector, options },
        requestTimeoutMs,
      )) as LogSessionOpened;
      let stopped = false;
      const pump = async () => {
        let cursor = 0;
        while (!stopped) {
          // a reader that is behind pauses the polls, and the leader's session then pauses the nodes
          const behind = sink.ready?.();
          if (behind) await waitAtMost(behind, readerWaitMs);
          if (stopped) return;
          let page: LogSessionPage;
          try {
            page = (await call(
              leader,
              { logbroker: 'poll', session, cursor, waitMs: pollWaitMs },
              pollWaitMs + requestTimeoutMs,
            )) as LogSessionPage;
          } catch (err) {
            if (!stopped)
              sink.end({ warning: `the log stream from the leader ${leader} broke: ${(err as Error).message}` });
            return;
          }
          if (stopped) return;
          cursor = page.cursor;
          if (page.messages.length) sink.messages(page.messages);
          if (page.end) {
            sink.end(page.end);
            return;
          }
        }
      };
      void pump();
      return () => {
        if (stopped) return;
        stopped = true;
        call(leader, { logbroker: 'close', session }, requestTimeoutMs).catch(() => undefined);
      };
    },
  };
}

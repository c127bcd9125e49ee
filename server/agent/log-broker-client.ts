// A node's way to the leader's log broker over the cluster transport: it
// long-polls for the node's subscriptions and pushes published batches. When
// the broker runs in this very process (the manager's own node while it
// leads), `local` short-cuts to it.

import { SwarmError, errorFromWire, rpcError } from '../api/errors';
import type {
  LogBrokerNodeApi,
  LogBrokerRequest,
  LogPublishAnswer,
  LogPublishBatch,
  NodeLogSubscription,
  SubscriptionsPage,
} from '../api/logs';
import { systemClock, type Clock } from '../util/clock';

export interface LogRequestTransport {
  request(target: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

export interface RemoteLogBrokerOptions {
  transport: LogRequestTransport;
  /** The current leader's raft ID (undefined or '' while none is known). */
  leader: () => string | undefined;
  /** The broker in this process, while this process leads. */
  local?: () => LogBrokerNodeApi | undefined;
  clock?: Clock;
  requestTimeoutMs?: number;
  /** How long the leader may hold a subscriptions poll. */
  pollWaitMs?: number;
  /** How often a local listener checks that the local broker is still the one to use. */
  localCheckMs?: number;
  pollBackoff?: { minMs: number; maxMs: number };
}

const REQUEST_TIMEOUT_MS = 5_000;
const POLL_WAIT_MS = 10_000;
const LOCAL_CHECK_MS = 500;
const POLL_BACKOFF = { minMs: 100, maxMs: 5_000 };

/** The error a failed request stands for: the leader's own, or Unavailable when no answer came. */
function requestError(err: unknown): SwarmError {
  if (err instanceof SwarmError) return err;
  const e = err as { kind?: unknown; code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.kind === 'remote') return errorFromWire({ code: e.code, message });
  return rpcError('Unavailable', message);
}

function isBusy(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as { busy?: unknown }).busy === true;
}

export class RemoteLogBroker implements LogBrokerNodeApi {
  private readonly clock: Clock;
  private readonly requestTimeoutMs: number;
  private readonly pollWaitMs: number;
  private readonly localCheckMs: number;
  private readonly backoff: { minMs: number; maxMs: number };

  constructor(private readonly opts: RemoteLogBrokerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.pollWaitMs = opts.pollWaitMs ?? POLL_WAIT_MS;
    this.localCheckMs = opts.localCheckMs ?? LOCAL_CHECK_MS;
    this.backoff = opts.pollBackoff ?? POLL_BACKOFF;
  }

  listen(nodeID: string, onChange: (subs: NodeLogSubscription[]) => void): () => void {
    let stopped = false;
    let cancelWait: (() => void) | undefined;
    let wake: (() => void) | undefined;
    let lastEmpty = true;
    const deliver = (subs: NodeLogSubscription[]) => {
      if (stopped) return;
      lastEmpty = subs.length === 0;
      try {
        onChange(subs);
      } catch (err) {
        console.error('log broker client: listener failed', err);
      }
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        cancelWait = this.clock.setTimeout(resolve, ms);
      }).finally(() => {
        cancelWait = undefined;
        wake = undefined;
      });

    const loop = async () => {
      let stream: string | null = null;
      let version = 0;
      let backoffMs = 0;
      while (!stopped) {
        const local = this.opts.local?.();
        if (local) {
          stream = null;
          const off = local.listen(nodeID, deliver);
          while (!stopped && this.opts.local?.() === local) await sleep(this.localCheckMs);
          off();
          if (!lastEmpty) deliver([]);
          continue;
        }
        try {
          const leader = this.opts.leader();
          if (!leader) throw rpcError('Unavailable', 'no leader is known');
          const req: LogBrokerRequest = {
            logbroker: 'subscriptions',
            nodeID,
            stream,
            version,
            waitMs: this.pollWaitMs,
          };
          const page = (await this.opts.transport.request(
            leader,
            req,
            this.pollWaitMs + this.requestTimeoutMs,
          )) as SubscriptionsPage;
          backoffMs = 0;
          if (stopped) return;
          if (page.stream !== stream || page.version !== version) {
            stream = page.stream;
            version = page.version;
            deliver(page.subscriptions ?? []);
          }
        } catch {
          if (stopped) return;
          // whatever the leader asked for is void without it
          stream = null;
          if (!lastEmpty) deliver([]);
          backoffMs = Math.min(this.backoff.maxMs, backoffMs ? backoffMs * 2 : this.backoff.minMs);
          await sleep(backoffMs);
        }
      }
    };
    void loop();
    return () => {
      stopped = true;
      cancelWait?.();
      wake?.();
    };
  }

  async publish(nodeID: string, batch: LogPublishBatch): Promise<LogPublishAnswer> {
    const local = this.opts.local?.();
    if (local) return local.publish(nodeID, batch);
    const leader = this.opts.leader();
    if (!leader) throw rpcError('Unavailable', 'no leader is known');
    const req: LogBrokerRequest = { logbroker: 'publish', nodeID, batch };
    try {
      const answer = await this.opts.transport.request(leader, req, this.requestTimeoutMs);
      return isBusy(answer) ? { busy: true } : null;
    } catch (err) {
      throw requestError(err);
    }
  }
}

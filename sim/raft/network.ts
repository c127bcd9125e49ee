// A simulated network between raft members: per-message delay, loss,
// duplication and reordering, and directed link cuts (so partitions can be
// asymmetric: A→B blocked while B→A flows). Messages travel as JSON.

import type { WireMessage } from '../../server/raft/member-hints';
import type { RaftTransport } from '../../server/raft/raft-log';
import type { RaftId } from '../../server/raft/types';
import type { Rng } from './prng';
import type { Scheduler } from './scheduler';

export interface NetworkConditions {
  loss: number;
  dup: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CALM: NetworkConditions = { loss: 0.01, dup: 0.01, minDelayMs: 1, maxDelayMs: 8 };

type Handler = (from: RaftId, m: WireMessage) => void;

export class SimNetwork {
  conditions: NetworkConditions = { ...CALM };
  /** Directed cuts, `from>to`. */
  private readonly cut = new Set<string>();
  private readonly handlers = new Map<RaftId, Handler>();
  sent = 0;
  delivered = 0;
  /** Messages sent, by type (coverage). */
  readonly byType = new Map<string, number>();
  /** BUG injection: deliver some messages twice, much later (a stale network replay). */
  replayStale = false;

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Rng,
  ) {}

  attach(id: RaftId, handler: Handler): () => void {
    this.handlers.set(id, handler);
    return () => {
      if (this.handlers.get(id) === handler) this.handlers.delete(id);
    };
  }

  block(from: RaftId, to: RaftId): void {
    this.cut.add(`${from}>${to}`);
  }

  isolate(id: RaftId, others: Iterable<RaftId>): void {
    for (const o of others) {
      if (o === id) continue;
      this.block(id, o);
      this.block(o, id);
    }
  }

  healLinks(): void {
    this.cut.clear();
  }

  get cuts(): number {
    return this.cut.size;
  }

  blocked(from: RaftId, to: RaftId): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  send(from: RaftId, to: RaftId, m: WireMessage): void {
    this.sent++;
    this.byType.set(m.type, (this.byType.get(m.type) ?? 0) + 1);
    const c = this.conditions;
    if (this.blocked(from, to) || this.rng.chance(c.loss)) return;
    const wire = JSON.stringify(m);
    const copies = this.rng.chance(c.dup) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = c.minDelayMs + this.rng.next() * (c.maxDelayMs - c.minDelayMs);
      this.sched.at(delay, `msg ${from}>${to} ${m.type}`, () => this.deliver(from, to, wire));
    }
    if (this.replayStale && this.rng.chance(0.05)) {
      this.sched.at(500 + this.rng.next() * 1500, `replay ${from}>${to} ${m.type}`, () =>
        this.deliver(from, to, wire, true),
      );
    }
  }

  private deliver(from: RaftId, to: RaftId, wire: string, ignoreCuts = false): void {
    if (!ignoreCuts && this.blocked(from, to)) return;
    const h = this.handlers.get(to);
    if (!h) return;
    this.delivered++;
    h(from, JSON.parse(wire) as WireMessage);
  }
}

/** One process incarnation's view of the network: like ClusterTransport, it only sends to peers it was told about. */
export class SimTransport implements RaftTransport {
  alive = true;
  private readonly peers = new Map<RaftId, string>();
  private detach: (() => void) | undefined;

  constructor(
    readonly id: RaftId,
    private readonly net: SimNetwork,
  ) {}

  send(to: RaftId, message: WireMessage): boolean {
    if (!this.alive || !this.peers.has(to)) return false;
    this.net.send(this.id, to, message);
    return true;
  }

  onMessage(handler: (from: RaftId, message: WireMessage) => void): () => void {
    // a dead incarnation finishing its open() must not steal the live one's endpoint
    if (!this.alive) return () => {};
    this.detach?.();
    this.detach = this.net.attach(this.id, (from, m) => {
      if (this.alive) handler(from, m);
    });
    return () => this.detach?.();
  }

  addPeer(id: RaftId, addr: string): void {
    this.peers.set(id, addr);
  }

  removePeer(id: RaftId): void {
    this.peers.delete(id);
  }

  knows(id: RaftId): boolean {
    return this.peers.has(id);
  }

  kill(): void {
    this.alive = false;
    this.detach?.();
  }
}

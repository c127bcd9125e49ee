// One seeded run of the real RaftLog + RaftNode + MemoryStore/ClusterStore
// over a simulated network, disk and clock. Faults (partitions incl.
// asymmetric ones, loss/dup/reorder bursts, crashes with restarts, membership
// changes, leadership transfers) overlap while clients write and read. Safety
// is checked after every event; at the end everything heals, the cluster must
// converge, and the client history must be linearizable.

import { SequenceConflict, SwarmError } from '../../server/api/errors';
import type { Config } from '../../server/api/types';
import { RaftLog, leaderOf } from '../../server/raft/raft-log';
import type { RaftId } from '../../server/raft/types';
import { ClusterStore } from '../../server/store/cluster-store';
import { MemoryStore } from '../../server/store/memory-store';
import { checkOperations, formatCheckResult, type Operation } from '../check/linearizability';
import { versionedObjectsModel, type VersionedInput, type VersionedOutput } from '../check/models';
import { SimDisk } from './disk';
import { SafetyChecker } from './invariants';
import { CALM, SimNetwork, SimTransport } from './network';
import { FNV_SEED, Rng, fnv } from './prng';
import { Scheduler, SimClock } from './scheduler';

export interface SimOptions {
  seed: number;
  /** Virtual ms of faults and client traffic. */
  chaosMs?: number;
  /** Virtual ms allowed to converge once everything is healed. */
  convergeMs?: number;
  tickMs?: number;
  electionTick?: number;
  clients?: number;
  /** Known bugs to inject, to prove the checks can fail. */
  bugs?: { ackBeforeSync?: boolean; replayStale?: boolean };
  /**
   * Writers call readBarrier before building the transaction (default true). Without it a deposed
   * leader that has not noticed yet fails an update fast against its stale store: not linearizable.
   */
  writeBarrier?: boolean;
  /** Record a human-readable event log (slow; for replaying one seed). */
  verbose?: boolean;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  violation?: string;
  traceHash: number;
  steps: number;
  virtualMs: number;
  faults: string[];
  ops: number;
  acked: number;
  pendingOps: number;
  leaderChecks: number;
  /** Disk writes lost to crashes (issued, not yet synced). */
  lostWrites: number;
  /** What the run exercised. */
  coverage: { terms: number; snapshotChunks: number; confChanges: number; restarts: number; members: number };
  linearizability: string;
  log: string[];
}

type VOp = Operation<VersionedInput, VersionedOutput>;

interface Incarnation {
  log?: RaftLog;
  store: MemoryStore;
  clock: SimClock;
  transport: SimTransport;
}

interface Member {
  id: RaftId;
  addr: string;
  disk: SimDisk;
  inc?: Incarnation;
  bootstrap?: Record<RaftId, string>;
  peers?: Record<RaftId, string>;
  restarts: number;
}

const KIND = 'config';
const OBJECT_IDS = ['a', 'b', 'c'];
const AMBIGUOUS = Symbol('ambiguous');
const OP_TIMEOUT_MS = 3_000;
const FAULT_KINDS = ['partition', 'asymmetric', 'burst', 'crash', 'membership', 'transfer'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

export async function runSimulation(opts: SimOptions): Promise<SimResult> {
  const sim = new Simulation(opts);
  return sim.run();
}

class Simulation {
  private readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly net: SimNetwork;
  private readonly checker = new SafetyChecker();
  private readonly members = new Map<RaftId, Member>();
  private readonly history: VOp[] = [];
  private readonly faults: string[] = [];
  private readonly log: string[] = [];
  private readonly tickMs: number;
  private readonly electionTick: number;
  private readonly chaosEnd: number;
  private nextId = 1;
  /** Upper bound of one fsync's latency, per seed. */
  private readonly fsyncMs: number;
  /** Small snapshot intervals so compaction and snapshot transfers happen within a short run. */
  private readonly snapshotInterval: number;
  private readonly keepEntries: number;
  private clientsStopped = false;

  constructor(private readonly o: SimOptions) {
    this.rng = new Rng(o.seed);
    this.net = new SimNetwork(this.sched, this.rng);
    this.net.replayStale = !!o.bugs?.replayStale;
    this.tickMs = o.tickMs ?? 100;
    this.electionTick = o.electionTick ?? 10;
    this.chaosEnd = o.chaosMs ?? 10_000;
    this.fsyncMs = this.rng.pick([2, 5, 20])!;
    this.snapshotInterval = this.rng.pick([3, 8, 25])!;
    this.keepEntries = this.rng.pick([0, 3, 10])!;
  }

  private note(msg: string): void {
    if (this.o.verbose) this.log.push(`${this.sched.now.toFixed(1).padStart(8)} ${msg}`);
  }

  async run(): Promise<SimResult> {
    const founders = this.rng.int(3, 5);
    const boot: Record<RaftId, string> = {};
    const ids: RaftId[] = [];
    for (let i = 0; i < founders; i++) {
      const id = this.newId();
      ids.push(id);
      boot[id] = `sim://${id}`;
    }
    for (const id of ids) this.addMember(id, { bootstrap: boot });
    for (const id of ids) this.start(this.members.get(id)!);

    const enabled = FAULT_KINDS.filter(() => this.rng.chance(0.5));
    if (enabled.length === 0) enabled.push(this.rng.pick(FAULT_KINDS)!);
    this.faults.push(`members=${founders}`, `faults=${enabled.join(',')}`);
    this.scheduleFaults(enabled);
    const clients = this.o.clients ?? 4;
    for (let c = 0; c < clients; c++) void this.runClient(c);

    let violation: string | undefined;
    const afterStep = () => {
      this.observe();
      return this.checker.violation !== undefined;
    };
    await this.sched.runUntil(this.chaosEnd, afterStep);
    violation = this.checker.violation;
    if (!violation) violation = await this.converge(afterStep);
    let linearizability = '';
    if (!violation) {
      const model = versionedObjectsModel({ versions: 'index' });
      const result = checkOperations(model, this.history, { timeoutMs: 2_000 });
      linearizability = result.result;
      if (result.result === 'illegal') violation = `linearizability: ${formatCheckResult(model, result)}`;
    }
    const acked = this.history.filter((op) => op.return !== Infinity && op.output?.status === 'ok').length;
    return {
      seed: this.o.seed,
      ok: !violation,
      violation,
      traceHash: this.sched.traceHash,
      steps: this.sched.steps,
      virtualMs: this.sched.now,
      faults: this.faults,
      ops: this.history.length,
      acked,
      pendingOps: this.history.filter((op) => op.return === Infinity).length,
      leaderChecks: this.checker.leaderChecks,
      lostWrites: [...this.members.values()].reduce((n, m) => n + m.disk.lost, 0),
      coverage: {
        terms: this.checker.leaderOfTerm.size,
        snapshotChunks: this.net.byType.get('snap') ?? 0,
        confChanges: [...this.checker.applied.values()].filter((a) => a.data.startsWith('{"type"')).length,
        restarts: [...this.members.values()].reduce((n, m) => n + m.restarts, 0),
        members: this.members.size,
      },
      linearizability,
      log: this.log,
    };
  }

  // ---- members -------------------------------------------------------------------

  private newId(): RaftId {
    return `n${this.nextId++}`;
  }

  private addMember(id: RaftId, init: { bootstrap?: Record<RaftId, string>; peers?: Record<RaftId, string> }): Member {
    const disk = new SimDisk(id, this.sched, {
      fsyncMs: () => 1 + this.rng.next() * this.fsyncMs,
      ackBeforeSync: this.o.bugs?.ackBeforeSync,
      onDurable: (d, written) => this.checker.onDurable(d, written),
    });
    const m: Member = { id, addr: `sim://${id}`, disk, restarts: 0, ...init };
    this.members.set(id, m);
    return m;
  }

  /** A new process over the member's surviving disk. */
  private start(m: Member): void {
    const clock = new SimClock(this.sched, `tick ${m.id}`);
    const transport = new SimTransport(m.id, this.net);
    const store = new MemoryStore();
    const inc: Incarnation = { store, clock, transport };
    m.inc = inc;
    this.note(`start ${m.id}`);
    RaftLog.open({
      id: m.id,
      addr: m.addr,
      core: { electionTick: this.electionTick, heartbeatTick: 1, maxMsgBytes: 4096, snapshotChunkBytes: 2048 },
      storage: m.disk,
      transport,
      clock,
      store,
      random: this.rng.fork(),
      tickMs: this.tickMs,
      snapshotInterval: this.snapshotInterval,
      keepEntries: this.keepEntries,
      bootstrap: m.bootstrap,
      peers: m.peers,
      waitMs: 1_500,
      onApply: (e) => this.checker.onApply(m.id, e),
    }).then(
      (log) => {
        if (m.inc === inc) inc.log = log;
      },
      (err: unknown) => this.checker.fail(`open ${m.id} failed: ${String(err)}`),
    );
  }

  private crash(m: Member): void {
    const inc = m.inc;
    if (!inc) return;
    this.note(`crash ${m.id}`);
    inc.clock.alive = false;
    inc.transport.kill();
    m.disk.crash();
    m.disk.onNextWrite = undefined;
    m.inc = undefined;
  }

  private crashAndRestart(victims: Member[]): void {
    for (const m of victims) {
      if (!m.inc) continue;
      this.crash(m);
      this.sched.at(this.rng.int(100, 1_500), `restart ${m.id}`, () => {
        if (!m.inc) {
          m.restarts++;
          this.start(m);
        }
      });
    }
  }

  private live(): Member[] {
    return [...this.members.values()].filter((m) => m.inc?.log);
  }

  private leader(): Member | undefined {
    return this.live().find((m) => m.inc!.log!.isLeader());
  }

  private observe(): void {
    this.checker.step = this.sched.steps;
    for (const m of this.members.values()) {
      const log = m.inc?.log;
      if (log) this.checker.observe(m.id, log.roleState());
    }
    this.checker.step = this.sched.steps + 1;
  }

  // ---- faults ----------------------------------------------------------------------

  private scheduleFaults(kinds: FaultKind[]): void {
    let t = this.rng.int(200, 800);
    while (t < this.chaosEnd - 300) {
      const kind = this.rng.pick(kinds)!;
      this.sched.at(t, `fault ${kind}`, () => this.fault(kind));
      t += this.rng.int(150, 900);
    }
  }

  private fault(kind: FaultKind): void {
    const ids = [...this.members.keys()];
    const until = this.rng.int(300, 2_000);
    switch (kind) {
      case 'partition': {
        if (this.rng.chance(0.5)) {
          const id = this.rng.pick(ids)!;
          this.net.isolate(id, ids);
          this.note(`isolate ${id} for ${until}`);
        } else {
          const side = new Set(ids.filter(() => this.rng.chance(0.5)));
          for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.net.block(a, b);
          this.note(`split ${[...side].join(',')} | rest for ${until}`);
        }
        this.sched.at(until, 'heal', () => this.net.healLinks());
        break;
      }
      case 'asymmetric': {
        const a = this.rng.pick(ids)!;
        const targets = ids.filter((b) => b !== a && this.rng.chance(0.6));
        for (const b of targets) this.net.block(a, b);
        this.note(`block ${a}→{${targets.join(',')}} for ${until}`);
        this.sched.at(until, 'heal', () => this.net.healLinks());
        break;
      }
      case 'burst': {
        const c = { ...CALM };
        const what = this.rng.int(0, 2);
        if (what === 0) c.loss = 0.2 + this.rng.next() * 0.4;
        else if (what === 1) c.dup = 0.2 + this.rng.next() * 0.3;
        else c.maxDelayMs = 50 + this.rng.next() * 400;
        this.net.conditions = c;
        this.note(
          `burst loss=${c.loss.toFixed(2)} dup=${c.dup.toFixed(2)} delay≤${c.maxDelayMs.toFixed(0)} for ${until}`,
        );
        this.sched.at(until, 'calm', () => (this.net.conditions = { ...CALM }));
        break;
      }
      case 'crash': {
        const live = this.live();
        const m = this.rng.pick(live);
        if (!m) break;
        const how = this.rng.int(0, 2);
        if (how === 0) {
          this.crashAndRestart([m]);
        } else {
          // crash between write and fsync: just this member, or a power cut that takes all down at once
          const all = how === 2;
          m.disk.onNextWrite = (syncInMs) => {
            this.sched.at(this.rng.next() * syncInMs * 0.9, 'crash mid-write', () =>
              this.crashAndRestart(all ? this.live() : [m]),
            );
          };
        }
        break;
      }
      case 'membership':
        this.changeMembership();
        break;
      case 'transfer': {
        const l = this.leader();
        if (!l) break;
        const to = this.rng.pick(l.inc!.log!.status().conf.voters.filter((v) => v !== l.id));
        if (!to) break;
        this.note(`transfer ${l.id}→${to}`);
        l.inc!.log!.transferLeadership(to).catch(() => {});
        break;
      }
    }
  }

  private changeMembership(): void {
    const l = this.leader();
    if (!l) return;
    const log = l.inc!.log!;
    const conf = log.status().conf;
    const size = conf.voters.length + conf.learners.length;
    const learner = conf.learners[0];
    const r = this.rng.next();
    if (learner && r < 0.7) {
      this.note(`promote ${learner}`);
      log.promote(learner).catch(() => {});
    } else if (size < 5 && r < 0.8) {
      const id = this.newId();
      const peers = Object.fromEntries(log.members());
      const m = this.addMember(id, { peers });
      this.note(`add learner ${id}`);
      this.start(m);
      log.addMember(id, m.addr, { asLearner: true }).catch(() => {});
    } else if (conf.voters.length > 3 || (conf.learners.length > 0 && r < 0.9)) {
      const pool = conf.voters.length > 3 ? [...conf.voters, ...conf.learners] : conf.learners;
      const id = this.rng.pick(pool)!;
      this.note(`remove ${id}`);
      log.removeMember(id).catch(() => {});
    }
  }

  // ---- clients -----------------------------------------------------------------------

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.sched.at(ms, 'client', resolve));
  }

  private async runClient(clientId: number): Promise<void> {
    const known = new Map<string, number>();
    let believed: RaftId | undefined;
    while (!this.clientsStopped && this.sched.now < this.chaosEnd) {
      await this.sleep(this.rng.int(10, 250));
      if (this.clientsStopped || this.sched.now >= this.chaosEnd) break;
      const id = this.rng.pick(OBJECT_IDS)!;
      const r = this.rng.next();
      const input: VersionedInput =
        r < 0.25
          ? { op: 'create', id }
          : r < 0.65
            ? { op: 'update', id, expect: this.rng.chance(0.85) ? (known.get(id) ?? 0) : this.rng.int(1, 40) }
            : { op: 'read', id };
      const op: VOp = { clientId, input, call: this.sched.now, return: Infinity };
      this.history.push(op);
      const state = { abandoned: false, believed };
      const attempt = input.op === 'read' ? this.read(id, state) : this.write(input, state);
      const out = await Promise.race([attempt, this.sleep(OP_TIMEOUT_MS).then((): typeof AMBIGUOUS => AMBIGUOUS)]);
      state.abandoned = true;
      believed = state.believed;
      if (out === AMBIGUOUS || out === undefined) {
        // a write whose outcome is unknown stays pending; an unanswered read is simply dropped
        if (input.op === 'read') this.history.splice(this.history.indexOf(op), 1);
        continue;
      }
      op.output = out;
      op.return = this.sched.now;
      if (out.status === 'ok' && out.version !== undefined) known.set(id, out.version);
    }
  }

  private pickMember(state: { believed?: RaftId }): Member | undefined {
    const live = this.live();
    const b = state.believed ? this.members.get(state.believed) : undefined;
    if (b?.inc?.log) return b;
    const m = this.rng.pick(live);
    state.believed = m?.id;
    return m;
  }

  private async write(
    input: VersionedInput,
    state: { abandoned: boolean; believed?: RaftId },
  ): Promise<VersionedOutput | typeof AMBIGUOUS> {
    for (;;) {
      if (state.abandoned) return AMBIGUOUS;
      const m = this.pickMember(state);
      if (!m) {
        await this.sleep(50);
        continue;
      }
      const { log, store } = { log: m.inc!.log!, store: m.inc!.store };
      let index = 0;
      const cs = new ClusterStore(
        store,
        {
          propose: async (batch) => {
            const r = await log.propose(batch);
            index = r.index;
            return r;
          },
          isLeader: () => log.isLeader(),
          close: async () => {},
        },
        () => this.sched.now,
      );
      try {
        // Tx reads the local store: make it current first, or a deposed leader answers from stale state
        if (this.o.writeBarrier !== false) await log.readBarrier();
        if (state.abandoned) return AMBIGUOUS;
        await cs.update((tx) => {
          if (input.op === 'create') {
            tx.create(KIND, configObject(input.id, tx.now));
          } else if (input.op === 'update') {
            const cur = tx.get(KIND, input.id);
            if (!cur) throw new SwarmError('NotFound', `config ${input.id} not found`);
            tx.update(KIND, { ...cur, Version: { Index: input.expect }, Spec: { ...cur.Spec, Data: tx.now } });
          }
        });
        return { status: 'ok', version: index };
      } catch (err) {
        const l = leaderOf(err);
        if (l !== undefined) {
          // refused before anything was proposed: safe to try elsewhere
          state.believed = l || undefined;
          if (!l) state.believed = this.rng.pick(this.live())?.id;
          await this.sleep(20);
          continue;
        }
        if (err instanceof SequenceConflict) return { status: 'conflict' };
        if (err instanceof SwarmError && err.code === 'NotFound') return { status: 'absent' };
        if (err instanceof SwarmError && err.code === 'AlreadyExists') return { status: 'exists' };
        // lost leadership, a closed log...: the entry may still commit
        return AMBIGUOUS;
      }
    }
  }

  private async read(id: string, state: { abandoned: boolean }): Promise<VersionedOutput | typeof AMBIGUOUS> {
    for (;;) {
      if (state.abandoned) return AMBIGUOUS;
      const m = this.rng.pick(this.live());
      if (!m) {
        await this.sleep(50);
        continue;
      }
      const { log, store } = { log: m.inc!.log!, store: m.inc!.store };
      try {
        await log.readBarrier();
      } catch {
        await this.sleep(20);
        continue;
      }
      const obj = store.get(KIND, id);
      return obj ? { status: 'ok', version: obj.Version.Index } : { status: 'absent' };
    }
  }

  // ---- the end: heal, converge, compare ---------------------------------------------

  private async converge(afterStep: () => boolean): Promise<string | undefined> {
    this.clientsStopped = true;
    this.net.healLinks();
    this.net.conditions = { loss: 0, dup: 0, minDelayMs: 1, maxDelayMs: 5 };
    for (const m of this.members.values()) m.disk.onNextWrite = undefined;
    this.note('heal all');
    const deadline = this.sched.now + (this.o.convergeMs ?? 20_000);
    const restart = () => {
      for (const m of this.members.values()) {
        if (!m.inc) {
          m.restarts++;
          this.start(m);
        }
      }
    };
    this.sched.at(0, 'restart all', restart);
    // Everyone caught up with a final write through the leader.
    let marker: number | undefined;
    let proposing = 0; // attempt number in flight (0: none)
    let attempts = 0;
    let done = false;
    const probe = () => {
      if (done) return;
      const l = this.leader();
      if (l && marker === undefined && !proposing) {
        const attempt = (proposing = ++attempts);
        // a proposal to a leader that crashes never settles: give up on it after a while
        this.sched.at(2_000, 'marker timeout', () => {
          if (proposing === attempt) proposing = 0;
        });
        const log = l.inc!.log!;
        const cs = new ClusterStore(
          l.inc!.store,
          {
            propose: async (b) => {
              const r = await log.propose(b);
              marker = r.index;
              return r;
            },
            isLeader: () => log.isLeader(),
            close: async () => {},
          },
          () => this.sched.now,
        );
        cs.update((tx) => tx.create(KIND, configObject(`final-${attempt}`, tx.now))).then(
          () => {
            if (proposing === attempt) proposing = 0;
          },
          () => {
            if (proposing !== attempt) return;
            proposing = 0;
            marker = undefined;
          },
        );
      }
      if (l && marker !== undefined) {
        const conf = l.inc!.log!.status().conf;
        const ids = [...conf.voters, ...conf.learners];
        const indexes = ids.map((id) => {
          const inc = this.members.get(id)?.inc;
          return inc?.log ? inc.store.index : -1;
        });
        if (indexes.every((i) => i >= marker! && i === indexes[0])) done = true;
      }
      if (!done) this.sched.at(100, 'probe', probe);
    };
    this.sched.at(50, 'probe', probe);
    await this.sched.runUntil(deadline, () => afterStep() || done);
    if (this.checker.violation) return this.checker.violation;
    if (!done) {
      const states = [...this.members.values()]
        .map((m) => {
          const s = m.inc?.log?.status();
          return s
            ? `${m.id}: ${s.role} t${s.term} commit ${s.commit} store ${s.storeIndex} conf ${s.conf.voters}/${s.conf.learners}`
            : `${m.id}: down`;
        })
        .join('; ');
      return `liveness: the healed cluster did not converge within ${this.o.convergeMs ?? 20_000} ms (${states})`;
    }
    return this.compareStores();
  }

  private compareStores(): string | undefined {
    const l = this.leader()!;
    const conf = l.inc!.log!.status().conf;
    const ids = [...conf.voters, ...conf.learners];
    // let the last entries land everywhere: same index on all
    const target = l.inc!.store.index;
    const images = ids.map((id) => [id, imageHash(this.members.get(id)!.inc!.store)] as const);
    const first = images[0]!;
    for (const [id, h] of images) {
      if (h !== first[1]) return `convergence: store of ${id} differs from ${first[0]}'s at index ${target}`;
    }
    // No acknowledged write lost.
    const store = l.inc!.store;
    for (const op of this.history) {
      if (op.return === Infinity || op.output?.status !== 'ok' || op.input.op === 'read') continue;
      const v = op.output.version!;
      const obj = store.get(KIND, op.input.id);
      if (!obj || obj.Version.Index < v) {
        return `lost write: ${op.input.op}(${op.input.id}) acknowledged at index ${v}, but the converged store has ${obj ? `version ${obj.Version.Index}` : 'no object'}`;
      }
      const entry = this.checker.applied.get(v);
      if (!entry || !entry.data.includes(`"ID":"${op.input.id}"`)) {
        return `lost write: ${op.input.op}(${op.input.id}) acknowledged at index ${v}, but that index holds ${entry ? entry.data.slice(0, 80) : 'nothing'}`;
      }
    }
    return undefined;
  }
}

function configObject(id: string, now: string): Config {
  return { ID: id, Version: { Index: 0 }, CreatedAt: now, UpdatedAt: now, Spec: { Name: id, Labels: {} } } as Config;
}

function imageHash(store: MemoryStore): number {
  const img = store.image();
  let h = fnv(FNV_SEED, String(img.index));
  for (const [kind, objs] of Object.entries(img.objects)) {
    const sorted = [...(objs as { ID: string }[])].sort((a, b) => (a.ID < b.ID ? -1 : 1));
    h = fnv(h, kind);
    for (const o of sorted) h = fnv(h, JSON.stringify(o));
  }
  return h;
}

// One fuzz phase: a stream of generated requests against one manager,
// several in flight at a time, every answer judged. When the manager dies,
// the phase records the crash, checks it restarts on its data, pins the
// request that did it, quarantines that request's family (so one bug does
// not eat the run) and carries on against a fresh manager on the same ports.

import { keepAliveAgent, send, type Outcome, type Wire } from './http-client';
import { generate, type StreamName } from './generator';
import { answerRecord, sentRecord, type Failure, type JournalEntry } from './records';
import type { Category, FuzzRequest } from './request';
import { closeSocketSession, resolveRequest, type ResolveContext } from './resolve';
import { checkRestart, crashSignature, deathWait, pinCulprit, suspects, type Crash } from './crash';
import { outputTail, startTarget, type Target } from './target';
import { judge, type FailureKind } from './verdict';

export interface PhaseOptions {
  name: string;
  stream: StreamName;
  seed: number;
  count: number;
  console: boolean;
  heapMb: number;
  concurrency: number;
  /** Stop sending new requests after this (the run reports it). */
  deadline: number;
  /** Time for pinning crashes, over the whole phase. */
  pinBudgetMs: number;
  /** After this many crashes the phase gives up. */
  maxCrashes: number;
  /** Send only requests of these categories (a diagnosis run). */
  only?: readonly Category[];
  /** Failure numbers, shared by the phases of a run. */
  ids: { next: number };
  log(line: string): void;
}

export interface RouteStats {
  sent: number;
  statuses: Record<string, number>;
}

export interface PhaseResult {
  name: string;
  planned: number;
  sent: number;
  support: number;
  /** Not sent: their family had already crashed or hung the manager (each names the failure). */
  skipped: { index: number; because: string }[];
  lostToCrash: number;
  failures: Failure[];
  crashes: Crash[];
  routes: Record<string, RouteStats>;
  categories: Record<string, number>;
  /** Windows when no manager was up (crash to restart), excluded from the ping verdict. */
  downtime: [number, number][];
  journal: JournalEntry[];
  /** Accepted writes per object ("service fz-3", "node sim-worker-1", "swarm"): what to blame when a read fails. */
  accepted: Record<string, FuzzRequest[]>;
  /** Writes the server took although their body was broken: how a store gets poisoned. */
  acceptedBroken: { request: FuzzRequest; target: string; status: number }[];
  deadlineHit: boolean;
  target: Target;
}

const JOURNAL_CAP = 30_000;
/** A hang costs a worker for the whole timeout: after this many in one family the rest are skipped. */
const HANG_SATURATION = 2;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Phase {
  private target!: Target;
  private epoch = 0;
  /** When the current manager started: what ran before belongs to an earlier one. */
  private targetSince = Date.now();
  private restarting?: Promise<void>;
  private stopping = false;
  private aborted?: string;
  private next = 0;
  private tasks: string[] = [];
  private readonly inFlight = new Set<JournalEntry>();
  private readonly quarantine = new Map<string, string>();
  private readonly hangs = new Map<string, number>();
  private readonly agent;
  readonly result: PhaseResult;

  constructor(private readonly o: PhaseOptions) {
    this.agent = keepAliveAgent(o.concurrency);
    this.result = {
      name: o.name,
      planned: o.count,
      sent: 0,
      support: 0,
      skipped: [],
      lostToCrash: 0,
      failures: [],
      crashes: [],
      routes: {},
      categories: {},
      downtime: [],
      journal: [],
      accepted: {},
      acceptedBroken: [],
      deadlineHit: false,
      target: undefined as unknown as Target,
    };
  }

  async start(): Promise<Target> {
    this.target = await startTarget({ console: this.o.console, heapMb: this.o.heapMb });
    this.result.target = this.target;
    this.watch(this.target);
    return this.target;
  }

  get current(): Target {
    return this.target;
  }

  private watch(t: Target): void {
    void t.server.exited.then(() => {
      if (this.stopping || t !== this.target) return;
      this.epoch++;
      this.restarting = this.handleCrash(t).finally(() => (this.restarting = undefined));
    });
  }

  private ctx(t: Target, parent: FuzzRequest): ResolveContext {
    return {
      endpoint: {
        engine: t.ports.engine,
        console: t.console ? t.ports.console : undefined,
        selfNodeID: t.selfNodeID,
        cookie: t.cookie,
      },
      tasks: this.tasks,
      support: (what, wire) => this.support(t, parent, what, wire),
    };
  }

  private async support(t: Target, parent: FuzzRequest, what: string, wire: Wire, timeoutMs = 5_000): Promise<Outcome> {
    this.result.support++;
    const o = await send(wire, timeoutMs, this.agent);
    if (o.status === undefined) await Promise.race([t.server.exited, sleep(300)]);
    if (t.exitedAt !== undefined || !t.server.alive()) return o;
    const v =
      o.status === undefined ? (o.error === 'timeout' ? 'no-answer' : 'dropped') : o.status >= 500 ? '5xx' : undefined;
    if (v && !(what === 'socket.io poll' && o.error === 'timeout'))
      this.fail(v, `${o.status ?? o.error} on ${what}`, parent, wire, o, what);
    return o;
  }

  private fail(
    kind: FailureKind | 'crash',
    cause: string,
    r: FuzzRequest,
    wire: Wire | undefined,
    o: Outcome | undefined,
    support?: string,
  ): void {
    // a broken URL or request line is about the listener, not the route it was made from
    const route = support
      ? `support: ${support}`
      : r.category === 'url' || r.category === 'raw'
        ? `${r.port} ${r.label}`
        : r.route;
    this.result.failures.push({
      id: ++this.o.ids.next,
      phase: this.o.name,
      kind,
      cause,
      group: `${this.o.name} | ${kind} | ${route} | ${cause}`,
      seed: this.o.seed,
      request: r,
      sent: wire ? sentRecord(wire) : undefined,
      answer: o ? answerRecord(o) : undefined,
      support,
      at: Date.now(),
    });
  }

  private quarantined(r: FuzzRequest): string | undefined {
    for (const f of r.families) {
      const why = this.quarantine.get(f);
      if (why) return why;
    }
    return undefined;
  }

  private remember(r: FuzzRequest, wire: Wire): void {
    if (r.method === 'GET' || r.method === 'HEAD' || r.socket) return;
    const key = r.route.includes('/nodes/')
      ? `node ${safeDecode(/\/nodes\/([^/?]+)/.exec(wire.target)?.[1] ?? '?')}`
      : r.route.includes('/swarm')
        ? 'swarm'
        : r.service && r.route.includes('/services')
          ? `service ${r.service}`
          : undefined;
    if (!key) return;
    const list = (this.result.accepted[key] ??= []);
    list.push(r);
    if (list.length > 5) list.shift();
  }

  private async execute(r: FuzzRequest): Promise<void> {
    const t = this.target;
    const epoch = this.epoch;
    const { wire, sid } = await resolveRequest(r, this.ctx(t, r));
    const bodyBytes = wire.body?.length ?? 0;
    const entry: JournalEntry = { req: r, target: wire.target, bodyBytes, start: Date.now() };
    this.inFlight.add(entry);
    this.result.journal.push(entry);
    if (this.result.journal.length > JOURNAL_CAP) this.result.journal.splice(0, JOURNAL_CAP / 10);
    // a healthy manager answers in well under a second; big bodies take their time on the wire
    const timeout = bodyBytes > 1024 * 1024 ? 60_000 : 3_000;
    const o = await send(wire, timeout, this.agent);
    entry.end = Date.now();
    entry.status = o.status;
    entry.error = o.error;
    this.inFlight.delete(entry);
    this.result.sent++;
    this.result.categories[r.category] = (this.result.categories[r.category] ?? 0) + 1;
    const stats = (this.result.routes[r.route] ??= { sent: 0, statuses: {} });
    stats.sent++;
    const key = o.status === undefined ? (o.error ?? 'none') : String(o.status);
    stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
    // a reset is often the process dying: give its exit a moment to land before judging
    if (o.status === undefined) await Promise.race([t.server.exited, sleep(300)]);
    if (epoch !== this.epoch || t.exitedAt !== undefined) {
      entry.lost = true;
      this.result.lostToCrash++;
      return;
    }
    if (sid) {
      if (o.status === 200)
        await this.support(
          t,
          r,
          'socket.io poll',
          {
            port: wire.port,
            method: 'GET',
            target: wire.target,
            headers: wire.port === t.ports.console && t.cookie ? [['Cookie', t.cookie]] : [],
          },
          1_500,
        );
      await closeSocketSession(this.ctx(t, r), sid);
    }
    const v = judge(r, o, bodyBytes);
    if (v) {
      this.fail(v.kind, v.cause, r, wire, o);
      if (v.kind === 'no-answer')
        for (const f of r.families) {
          const n = (this.hangs.get(f) ?? 0) + 1;
          this.hangs.set(f, n);
          if (n >= HANG_SATURATION) this.quarantine.set(f, `${n} requests of family "${f}" got no answer`);
        }
    } else if (o.status !== undefined && o.status < 300) {
      this.remember(r, wire);
      if (
        (r.category === 'body' || r.category === 'structure') &&
        // a body on a route that takes none is ignored, as it should be
        r.label !== 'stray body' &&
        r.method !== 'GET' &&
        r.method !== 'HEAD' &&
        !r.socket
      )
        this.result.acceptedBroken.push({ request: r, target: wire.target, status: o.status });
    }
  }

  private async handleCrash(t: Target): Promise<void> {
    const diedAt = t.exitedAt ?? Date.now();
    // V8's native stack trace after a fatal error is long: read enough to reach the error line above it
    const output = outputTail(t, 20_000);
    const crash: Crash = {
      id: this.result.crashes.length + 1,
      signature: crashSignature(output),
      phase: this.o.name,
      at: diedAt,
      exit: t.exitText ?? 'exited',
      output: output.slice(-3_000),
      inFlight: [...this.inFlight].map((e) => `${e.req.method} ${e.target} (${e.req.label})`),
      pinNote: '',
      suspects: [],
      trials: 0,
    };
    this.result.crashes.push(crash);
    this.o.log(
      `fuzz: manager died (${crash.exit}) in phase ${this.o.name}; ${crash.inFlight.length} requests in flight`,
    );
    const lifetime = this.result.journal.filter((e) => e.start >= this.targetSince);
    const candidates = suspects(lifetime, this.inFlight, diedAt, output);
    // a manager running out of memory stalls in garbage collection before it dies: what timed out or was
    // cut off then (and pings then) are the crash's doing, not failures of their own
    const dying = deathWait(output) > 5_000 ? 45_000 : 1_000;
    const before = this.result.failures.length;
    this.result.failures = this.result.failures.filter(
      (f) => !((f.kind === 'no-answer' || f.kind === 'dropped') && f.at >= diedAt - dying),
    );
    this.result.lostToCrash += before - this.result.failures.length;
    if (process.env.FUZZ_DEBUG)
      this.o.log(
        `fuzz: suspects ${candidates
          .slice(0, 5)
          .map((r) => `${r.method} ${r.path} [${r.label}]`)
          .join(' | ')}`,
      );
    await sleep(200);
    if (this.result.crashes.length <= 3) {
      crash.restart = await checkRestart(t.dataDir, this.o.heapMb, Math.max(3_000, deathWait(crash.output)));
      this.o.log(`fuzz: restart on the same data: ${crash.restart.split('\n')[0]}`);
    }
    const budget = Math.min(this.o.pinBudgetMs, Math.max(0, this.o.deadline - Date.now()));
    // an uncaught exception at one line of ours has one cause; running out of memory has many
    const specific = / server\/\S+:\d+$/.test(crash.signature);
    const seen = specific
      ? this.result.crashes.find((c) => c !== crash && c.culprit && c.signature === crash.signature)
      : undefined;
    if (seen) {
      // the same death again: no need to pin it twice; keep its kind of request away from here on
      crash.pinNote = `same signature as crash ${seen.id} (${seen.culprit!.method} ${seen.culprit!.path})`;
      const kin = candidates.filter((r) => r.category === seen.culprit!.category).slice(0, 3);
      for (const r of kin)
        for (const f of r.families) this.quarantine.set(f, `likely crashed the manager like crash ${seen.id}`);
    } else if (budget > 0) {
      const started = Date.now();
      const pin = await pinCulprit(candidates.slice(0, 40), {
        seed: this.o.seed,
        heapMb: this.o.heapMb,
        budgetMs: budget,
        // a death the data dir repeats without a console is pinned on cheaper console-less managers
        console: this.o.console && !crash.restart?.startsWith('CRASH-LOOPS'),
        signature: crash.signature,
        waitMs: deathWait(crash.output),
      });
      this.o.pinBudgetMs -= Date.now() - started;
      crash.culprit = pin.culprit;
      crash.pinNote = pin.note;
      crash.trials = pin.trials;
      if (pin.culprit) {
        for (const f of pin.culprit.families)
          this.quarantine.set(f, `family "${f}" crashed the manager (crash ${crash.id})`);
        this.o.log(
          `fuzz: crash ${crash.id} pinned (${pin.trials} trials): ${pin.culprit.method} ${pin.culprit.path} ${pin.culprit.label}`,
        );
      } else this.o.log(`fuzz: crash ${crash.id} not pinned: ${pin.note}`);
    } else crash.pinNote = 'no time left to pin it';
    if (!crash.culprit)
      crash.suspects = candidates
        .slice(0, 5)
        .map((r) => `${r.method} ${r.path} [${r.category}: ${r.label.slice(0, 200)}] (index ${r.index})`);
    if (crash.culprit) this.fail('crash', `manager died: ${crash.exit}`, crash.culprit, undefined, undefined);
    if (this.result.crashes.length >= this.o.maxCrashes) {
      this.aborted = `the manager died ${this.result.crashes.length} times`;
      return;
    }
    await t.dispose();
    const fresh = await startTarget({ console: this.o.console, heapMb: this.o.heapMb, ports: t.ports });
    this.result.downtime.push([diedAt - dying, Date.now()]);
    this.target = fresh;
    this.targetSince = Date.now();
    this.result.target = fresh;
    this.watch(fresh);
  }

  private async refreshTasks(): Promise<void> {
    const t = this.target;
    if (this.restarting || !t.server.alive()) return;
    this.result.support++;
    const o = await send(
      { port: t.ports.engine, method: 'GET', target: '/v1.50/tasks', headers: [] },
      5_000,
      this.agent,
    );
    try {
      this.tasks = (JSON.parse(o.body.toString('utf8')) as { ID: string }[]).map((x) => x.ID).slice(-100);
    } catch {
      // a failing list shows up in the fuzz's own GET /tasks requests
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      while (this.restarting) await this.restarting;
      if (this.aborted) return;
      if (Date.now() > this.o.deadline) {
        this.result.deadlineHit = true;
        return;
      }
      const i = this.next++;
      if (i >= this.o.count) return;
      const r = generate(this.o.seed, this.o.stream, i);
      // a diagnosis run (--only valid,query) sends a subset of the plan; the rest is not counted
      if (this.o.only && !this.o.only.includes(r.category)) continue;
      const why = this.quarantined(r);
      if (why) {
        this.result.skipped.push({ index: i, because: why });
        continue;
      }
      try {
        await this.execute(r);
      } catch (err) {
        this.fail('dropped', `the fuzzer could not send it: ${(err as Error).message}`, r, undefined, undefined);
      }
      if (i % 1_000 === 0) this.o.log(`fuzz: ${this.o.name} ${i}/${this.o.count}`);
    }
  }

  async run(): Promise<PhaseResult> {
    await this.refreshTasks();
    const refresher = setInterval(() => void this.refreshTasks(), 3_000);
    try {
      await Promise.all(Array.from({ length: this.o.concurrency }, () => this.worker()));
      while (this.restarting) await this.restarting;
    } finally {
      clearInterval(refresher);
    }
    if (this.aborted) this.o.log(`fuzz: phase ${this.o.name} stopped early: ${this.aborted}`);
    return this.result;
  }

  /** Stop the manager for good (no crash handling from here on). */
  async finish(): Promise<void> {
    this.stopping = true;
    this.agent.destroy();
    await this.target.dispose();
  }
}

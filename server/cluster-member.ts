// One manager of a swarm, wired: the raft member (SQLite storage, cluster
// transport), the store it applies, the leader-only control loops that start
// and stop with leadership, the control API (writes forwarded to the leader),
// this process's agents, and the context the edges get.

import { AuditNoteBuffer } from './audit/note-buffer';
import { auditNotesHandler, isAuditNotesRequest, notesProposer } from './audit/notes-route';
import type { NetworkView } from './api/network-view';
import type { NodeDescription, RootCA } from './api/types';
import { Agent } from './agent/agent';
import { RemoteLogBroker } from './agent/log-broker-client';
import { LogPublisher } from './agent/log-publisher';
import type { LogBrokerNodeApi } from './api/logs';
import { SimExecutor } from './agent/executor/sim';
import type { Executor } from './agent/executor/executor';
import type { NodeMeshHooks } from './agent/mesh/node-mesh-api';
import type { InitSettings } from './manager/swarm-init';
import { ensureSimWorkers, initCluster, SIM_WORKER_PREFIX, simWorkerDescription } from './manager/bootstrap';
import { createControlApi } from './manager/controlapi';
import type { ManagerContext } from './manager/context';
import { createDemoServices } from './manager/demo';
import { RemoteDispatcher, routerFor, serveDispatcher, UNHANDLED } from './manager/dispatcher/remote';
import { LeaderLoops } from './manager/manager';
import { forwardingLogs, serveLogBroker } from './manager/logbroker';
import {
  controlRequestHandler,
  forwardingControlApi,
  isControlRequest,
  type LeaderLink,
} from './manager/membership/forward';
import { agentJoinHandler, isAgentJoinRequest } from './manager/membership/agent-join';
import { isJoinRequest, joinRequestHandler, type JoinAnswer } from './manager/membership/join';
import { LeaderDispatcher } from './manager/membership/leader-dispatcher';
import { LearnerPromoter } from './manager/membership/promoter';
import { RoleManager } from './manager/membership/role-manager';
import { managerStatus, membershipView, type MembershipView } from './manager/membership/status';
import { DEFAULT_RAFT_TIMING, electionTimeoutMs, raftTiming } from './manager/membership/timing';
import { raftHealth } from './manager/raft-health';
import { createRaftViewSource, type RaftViewSampler } from './manager/raft-view';
import { foundSwarm, MemberCA } from './manager/ca/member-ca';
import { caStatus } from './manager/ca/status';
import { managerAcceptPolicy } from './manager/membership/credentials';
import type { AcceptPolicy, NodeCredentials } from './node-tls';
import type { ClusterTransport } from './raft/transport';
import type { Message } from './raft/core';
import { startAtRest, type AtRest } from './manager/at-rest';
import type { RaftKeyRing } from './storage/encryption/raft-key-ring';
import { openStore, type OpenedStore } from './store/open';
import type { Clock } from './util/clock';
import { monitorEventLoop } from './util/loop-monitor';

export type MemberMode =
  /** A data dir that already holds a member (restart). */
  | { kind: 'restart' }
  /** `docker swarm init`: a brand-new one-member group. */
  | { kind: 'init' }
  /** Admitted by the leader: the answer to our join request. */
  | { kind: 'join'; answer: JoinAnswer };

export interface MemberOptions {
  dataDir: string;
  selfNodeID: string;
  advertiseAddr: string;
  clusterAddr: string;
  description: NodeDescription;
  transport: ClusterTransport<Message>;
  /** This manager's TLS identity, which the transport presents (founded here on init; installed by a join). */
  tls: NodeCredentials;
  /** Told who the cluster port lets in once the store exists (tokens, removed nodes). */
  setAcceptPolicy(policy: AcceptPolicy): void;
  clock: Clock;
  simWorkers: number;
  demo: boolean;
  /** The executor of this manager's own node (simulated workers always use the simulated one). */
  executor: Executor;
  /** The routing mesh of this manager's own node (process executor only): views go to it, tasks drain through it. */
  mesh?: NodeMeshHooks;
  /** This node's DNS, given every NetworkView its agent takes. */
  onNetworkView?: (view: NetworkView) => void;
  mode: MemberMode;
  /** Heartbeat period of a swarm this member initialises (undefined: Swarm's default). */
  heartbeatPeriodMs?: number;
  /** Node certificate lifetime (ns) of a swarm this member initialises (`swarm init --cert-expiry`). */
  nodeCertExpiryNs?: number;
  /** What `docker swarm init` asked for, for a swarm this member initialises. */
  initSettings?: InitSettings;
  log?: (msg: string) => void;
  /** Print the event loop's worst delay every this many ms (benchmarks; 0: only stalls are logged). */
  loopReportMs?: number;
  /** Encryption at rest: the raft keys the log is stored under (none: stored as it is, for tests). */
  keys?: RaftKeyRing;
}

/** How long a new member waits to receive the cluster through the log (a joiner copying a big store). */
const CATCH_UP_MS = 120_000;

export class ClusterMember {
  readonly ctx: ManagerContext;
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  private leadership: Promise<void> = Promise.resolve();
  private loopsRunning = false;
  private agents: Agent[] = [];
  /** Where this process's nodes publish task logs (the leader's broker, local or remote). */
  private logNodes?: LogBrokerNodeApi;
  private logPublishers: LogPublisher[] = [];
  private simsPending = false;
  private leaderlessSince: number | undefined;
  private closed = false;
  /** Encryption at rest on this member (its background re-encryption), when it has keys. */
  atRest?: AtRest;

  private constructor(
    private readonly o: MemberOptions,
    readonly opened: OpenedStore,
    private readonly loops: LeaderLoops,
    private readonly promoter: LearnerPromoter,
    private readonly roles: RoleManager,
    private readonly ca: MemberCA,
    ctx: ManagerContext,
    private readonly raftView: RaftViewSampler,
  ) {
    this.ctx = ctx;
  }

  get log() {
    return this.opened.log;
  }
  get store() {
    return this.opened.store;
  }

  static async start(o: MemberOptions): Promise<ClusterMember> {
    const say = o.log ?? ((m: string) => console.log(m));
    const { mode, transport, clock } = o;
    // who the cluster port lets in, from the moment raft starts: until the log is open, the members
    // a join answer named (a joiner's leader dials it at once)
    const ready: { opened?: OpenedStore } = {};
    const joinPeers = new Set(mode.kind === 'join' ? Object.keys(mode.answer.members) : []);
    o.setAcceptPolicy(
      managerAcceptPolicy({
        cluster: () => ready.opened?.store.view.list('cluster')[0],
        raftRemoved: (id) => ready.opened?.log.isRemovedMember(id) ?? false,
        raftMember: (id) => (ready.opened ? ready.opened.log.isMember(id) : joinPeers.has(id)),
      }),
    );
    const opened = await openStore(o.dataDir, {
      id: o.selfNodeID,
      addr: o.clusterAddr,
      transport,
      raftClock: clock,
      ...DEFAULT_RAFT_TIMING,
      // only `swarm init` founds a group: a member whose storage is empty waits for the leader
      bootstrap: mode.kind === 'init' || (mode.kind === 'restart' && !o.tls.certificate),
      peers: mode.kind === 'join' ? mode.answer.members : undefined,
      ...(o.keys ? { codec: o.keys.codec } : {}),
    });
    ready.opened = opened;
    const { store, log } = opened;

    // a `swarm init` that crashed before its first write founded the group but not the swarm
    const conf = log.status().conf;
    const unfinishedInit =
      mode.kind === 'restart' &&
      store.view.list('cluster').length === 0 &&
      conf.voters.length === 1 &&
      conf.voters[0] === o.selfNodeID;
    // `swarm init`: the root CA and this manager's certificate, once the one-member group exists (a
    // crash from here until the cluster object is written leaves an unfinished init, redone on restart)
    let founded: { clusterID: string; rootCA: RootCA } | undefined;
    if (mode.kind === 'init' || unfinishedInit) founded = await foundSwarm(o.tls, o.selfNodeID, o.nodeCertExpiryNs);
    if (founded) {
      await initCluster(store, {
        nodeID: o.selfNodeID,
        description: { ...o.description, TLSInfo: o.tls.tlsInfo() },
        addr: o.advertiseAddr,
        clusterID: founded.clusterID,
        heartbeatPeriodMs: o.heartbeatPeriodMs,
        nodeCertExpiryNs: o.nodeCertExpiryNs,
        rootCA: founded.rootCA,
        settings: o.initSettings,
      });
      say(`swarm initialized: current node (${o.selfNodeID}) is now a manager`);
    }
    if (mode.kind === 'restart' && !o.tls.certificate && conf.voters.some((v) => v !== o.selfNodeID))
      throw new Error(
        `this manager has no TLS certificate (${o.dataDir}/certificates) and cannot reach the other managers ` +
          'without one: restore the directory, or join again with a fresh data dir',
      );
    await waitFor(() => store.view.list('cluster').length > 0 && !!store.view.get('node', o.selfNodeID), CATCH_UP_MS);
    // the raft keys follow the cluster's unlock key from here on; a wanted DEK rotation runs in the background
    const atRest = o.keys ? startAtRest(store, opened.storage, o.keys, say) : undefined;

    // the cluster's Raft settings, now and whenever they change
    const applySettings = () => {
      const spec = store.view.list('cluster')[0]?.Spec.Raft;
      if (!spec) return;
      const t = raftTiming(spec);
      log.setTiming(t);
      log.setSnapshotPolicy({ snapshotInterval: spec.SnapshotInterval, keepEntries: spec.LogEntriesForSlowFollowers });
    };
    applySettings();
    // a node removed (blacklisted) or out of raft loses its open cluster connections, not just its next ones
    let revalidating = false;
    const revalidate = () => {
      if (revalidating) return;
      revalidating = true;
      setImmediate(() => {
        revalidating = false;
        const n = transport.revalidate();
        if (n > 0) say(`cluster port: closed ${n} connection(s) of nodes removed from the swarm or its raft group`);
      });
    };
    const unwatch = store.view.watch((e) => {
      if (e.changes.some((c) => c.kind === 'cluster')) applySettings();
      if (e.changes.some((c) => c.kind === 'cluster' || c.kind === 'node')) revalidate();
    });

    const loops = new LeaderLoops(store, clock, o.selfNodeID);
    const promoter = new LearnerPromoter(log, clock, 250, (err) =>
      console.error('raft: promoting a learner failed:', err instanceof Error ? err.message : err),
    );
    const view = (): MembershipView => {
      const st = log.status();
      return membershipView({
        selfID: o.selfNodeID,
        leader: log.leader(),
        voters: st.conf.voters,
        learners: st.conf.learners,
        addrs: log.members(),
        peers: transport.peerStatus(),
      });
    };

    const roles = new RoleManager(store, clock, {
      selfID: o.selfNodeID,
      isLeader: () => log.isLeader(),
      view,
      match: () => Object.fromEntries(Object.entries(log.status().progress ?? {}).map(([id, p]) => [id, p.match])),
      removeMember: (id) => log.removeMember(id),
      transferLeadership: (to) => log.transferLeadership(to),
    });

    // the member, once built: the closures below run only after that
    const built: { member?: ClusterMember } = {};
    const link: LeaderLink = {
      selfID: o.selfNodeID,
      isLeader: () => log.isLeader(),
      leader: () => log.leader(),
      leaderlessMs: () =>
        built.member?.leaderlessSince === undefined ? 0 : clock.now() - built.member.leaderlessSince,
      electionTimeoutMs: () => electionTimeoutMs(log.timing()),
      request: (to, payload, ms) => transport.request(to, payload, ms),
      waitForLeader: (ms) => waitForLeader(log, o.selfNodeID, ms),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };

    const local = createControlApi(store, {
      selfNodeID: o.selfNodeID,
      managerAddr: o.clusterAddr,
      isLeader: () => log.isLeader(),
      clock,
      barrier: () => log.readBarrier(),
      raft: { view },
    });
    const control = forwardingControlApi(local, link);

    const router = routerFor(transport);
    const onControl = controlRequestHandler(local, link);
    const onJoin = joinRequestHandler({
      store,
      log,
      barrier: () => log.readBarrier(),
      request: (to, payload, ms) => transport.request(to, payload, ms),
      sleep: link.sleep,
    });
    const onAgentJoin = agentJoinHandler({
      store,
      isLeader: () => log.isLeader(),
      leader: () => log.leader(),
      members: () => log.members(),
      removed: () => log.status().conf.removed ?? [],
      barrier: () => log.readBarrier(),
      request: (to, payload, ms) => transport.request(to, payload, ms),
    });
    const onAuditNotes = auditNotesHandler(store, link);
    const removeRoute = router.add((payload, from) => {
      if (isControlRequest(payload)) return onControl(payload, from);
      if (isAuditNotesRequest(payload)) return onAuditNotes(payload);
      if (isProbe(payload)) return { probe: true };
      return UNHANDLED;
    });
    // joins come from callers holding only a token (a manager's, or a worker's for an agent)
    const removeJoinRoute = router.add(
      (payload, from) => {
        if (isJoinRequest(payload)) return onJoin(payload, from);
        if (isAgentJoinRequest(payload)) return onAgentJoin(payload, from);
        return UNHANDLED;
      },
      { from: ['member', 'join-token', 'worker-token'] },
    );
    // Followers exchange no raft traffic: probe peers without a connection so the
    // transport's health checks (pings) run to every member, as swarm's do.
    const stopProbing = probePeers(transport, clock, 1_000, () => log.status().removed);

    const localDispatcher = () => (built.member?.loopsRunning && log.isLeader() ? loops.dispatcher : undefined);
    const stopServing = serveDispatcher(transport, localDispatcher, {
      clock,
      leaderHint: () => {
        const leader = log.leader();
        return leader ? `${leader} (${log.members().get(leader) ?? '?'})` : undefined;
      },
      directory: () => ({ leader: log.leader(), managers: Object.fromEntries(log.members()) }),
      caStatus: (nodeID) => caStatus(store.view.list('cluster')[0], store.view.get('node', nodeID)),
    });
    const dispatcher = new LeaderDispatcher(
      localDispatcher,
      new RemoteDispatcher({ transport, leader: () => log.leader() || undefined, clock }),
    );

    // task logs: the leader's broker serves agents and the other managers; this member's nodes publish to it
    const localLogBroker = () => (built.member?.loopsRunning && log.isLeader() ? loops.logBroker : undefined);
    const stopServingLogs = serveLogBroker(router, localLogBroker, {
      clock,
      leaderHint: () => {
        const leader = log.leader();
        return leader ? `${leader} (${log.members().get(leader) ?? '?'})` : undefined;
      },
    });
    const leaderID = () => log.leader() || undefined;
    const logNodes = new RemoteLogBroker({ transport, leader: leaderID, local: localLogBroker, clock });
    const logs = forwardingLogs(localLogBroker, {
      selfID: o.selfNodeID,
      leader: leaderID,
      request: (to, payload, ms) => transport.request(to, payload, ms),
    });

    const raftView = createRaftViewSource({
      raftLog: log,
      peerStatus: () => transport.peerStatus(),
      store: store.view,
      selfId: o.selfNodeID,
      clock,
    });

    // notes (failed logins, refused requests) go to the log coalesced, bounded, through the leader
    const auditNotes = new AuditNoteBuffer(notesProposer(store, link), clock);
    const ctx: ManagerContext = {
      store,
      control,
      dispatcher,
      clock,
      selfNodeID: o.selfNodeID,
      advertiseAddr: o.advertiseAddr,
      clusterAddr: o.clusterAddr,
      startedAt: clock.now(),
      raft: raftView,
      raftHealth: () => raftHealth(log),
      replica: () => (log.isLeader() ? 'leader' : 'follower'),
      managerStatus: (nodeID) => managerStatus(view(), nodeID),
      membership: view,
      logs,
      audit: auditNotes,
      passTimings: loops.passTimings,
    };
    // a stall past half the election timeout is what costs leadership: say so when it happens
    const stopLoopMonitor = monitorEventLoop({
      reportMs: o.loopReportMs,
      warnMs: () => electionTimeoutMs(log.timing()) / 2,
      log: (line) => console.warn(line),
    });
    const ca = new MemberCA({
      store,
      selfID: o.selfNodeID,
      tls: o.tls,
      router,
      clock,
      removedFromRaft: () => log.status().removed,
      leader: () => log.leader(),
      request: (to, payload, ms) => transport.request(to, payload, ms),
    });
    await ca.start(() => log.isLeader());
    const m = new ClusterMember(o, opened, loops, promoter, roles, ca, ctx, raftView);
    built.member = m;
    m.cleanups.push(() => ca.stop());
    m.logNodes = logNodes;
    m.cleanups.push(stopServingLogs);
    m.cleanups.push(unwatch, removeRoute, removeJoinRoute, stopProbing, stopServing, () => raftView.close());
    m.cleanups.push(stopLoopMonitor);
    if (atRest) m.cleanups.push(() => atRest.stop());
    m.atRest = atRest;
    // runs first (cleanups run in reverse): the buffered notes go out while the log still takes them
    m.cleanups.push(() => auditNotes.close());

    // leader-only loops: start on election, stop at once on losing it
    m.leaderlessSince = log.leader() ? undefined : clock.now();
    const offLeadership = log.onLeadershipChange((isLeader, leader) => {
      if (leader) m.leaderlessSince = undefined;
      else m.leaderlessSince ??= clock.now();
      m.follow(isLeader);
    });
    m.cleanups.push(offLeadership);
    m.follow(log.isLeader());
    await m.leadership;

    await m.startAgents(mode.kind === 'init' && o.demo);
    return m;
  }

  /** Start or stop the leader's work, one transition at a time, in the order leadership changed. */
  private follow(isLeader: boolean): void {
    this.leadership = this.leadership.then(async () => {
      if (this.closed) return;
      const lead = isLeader && this.log.isLeader();
      if (lead === this.loopsRunning) return;
      if (lead) {
        this.loops.start();
        this.promoter.start();
        this.roles.start();
        this.ca.lead();
        this.loopsRunning = true;
        console.log(`raft: ${this.o.selfNodeID} is the leader (term ${this.log.status().term})`);
        if (this.simsPending) void this.startSimWorkers();
      } else {
        this.loopsRunning = false;
        await Promise.all([this.loops.stop(), this.promoter.stop(), this.roles.stop(), this.ca.stopLeading()]);
        console.log(`raft: ${this.o.selfNodeID} is a follower (leader ${this.log.leader() || 'unknown'})`);
      }
    });
    this.leadership.catch((err: unknown) => console.error('raft: leadership change failed:', err));
  }

  /** This manager's own agent, plus its simulated workers (created by the leader if missing). */
  private async startAgents(demo: boolean): Promise<void> {
    const self = new Agent({
      nodeID: this.o.selfNodeID,
      dispatcher: this.ctx.dispatcher,
      executor: this.o.executor,
      description: { ...this.o.description, TLSInfo: this.o.tls.tlsInfo() },
      addr: this.o.advertiseAddr,
      ...(this.o.mesh ? { mesh: this.o.mesh } : {}),
      ...(this.o.onNetworkView ? { onNetworkView: this.o.onNetworkView } : {}),
    });
    this.agents.push(self);
    // this process's nodes (its own and the simulated ones) show its TLS identity
    this.cleanups.push(
      this.o.tls.onChange(() => {
        for (const a of this.agents) a.setTLSInfo(this.o.tls.tlsInfo());
      }),
    );
    void self.start();
    this.publishLogs(self.nodeID, this.o.executor);
    await this.startSimWorkers();
    if (demo) await createDemoServices(this.ctx.control);
  }

  private async startSimWorkers(): Promise<void> {
    const want = this.o.simWorkers;
    if (want === 0) return;
    const have = new Set(
      this.store.view
        .list('node')
        .map((n) => n.Description.Hostname)
        .filter((h) => h.startsWith(SIM_WORKER_PREFIX)),
    );
    let missing = false;
    for (let i = 1; i <= want; i++) if (!have.has(simWorkerDescription(i).Hostname)) missing = true;
    if (missing && !this.log.isLeader()) {
      // node objects are written by the leader; this manager adds them when it leads
      this.simsPending = true;
      console.log('swarmdeck: simulated workers will be created when this manager leads');
      return;
    }
    this.simsPending = false;
    const sims = await ensureSimWorkers(this.store, want);
    for (const s of sims) {
      if (this.agents.some((a) => a.nodeID === s.id)) continue;
      const executor = new SimExecutor();
      const agent = new Agent({
        nodeID: s.id,
        dispatcher: this.ctx.dispatcher,
        executor,
        description: { ...s.description, TLSInfo: this.o.tls.tlsInfo() },
        addr: '127.0.0.1',
      });
      this.agents.push(agent);
      void agent.start();
      this.publishLogs(s.id, executor);
    }
  }

  /** The node's task logs go to the leader's log broker. */
  private publishLogs(nodeID: string, executor: Executor): void {
    if (!this.logNodes) return;
    const p = new LogPublisher({ nodeID, source: executor, broker: this.logNodes });
    p.start();
    this.logPublishers.push(p);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.logPublishers.map((p) => p.stop()));
    await Promise.all(this.agents.map((a) => a.stop()));
    this.closed = true;
    this.loopsRunning = false;
    await this.leadership.catch(() => undefined);
    await Promise.all([this.loops.stop(), this.promoter.stop(), this.roles.stop(), this.ca.stopLeading()]);
    for (const c of this.cleanups.reverse()) await c();
    await this.opened.close();
  }
}

const isProbe = (p: unknown): boolean => !!p && typeof p === 'object' && (p as { probe?: unknown }).probe === 1;

function probePeers(
  transport: ClusterTransport<Message>,
  clock: Clock,
  everyMs: number,
  removed: () => boolean,
): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (removed()) {
      // demoted or removed: the others refuse us now; stop knocking
      console.log('raft: this manager was removed from the raft group; it no longer takes part');
      for (const p of transport.peerStatus()) transport.removePeer(p.id);
      return;
    }
    for (const p of transport.peerStatus()) {
      if (!p.connected) transport.request(p.id, { probe: 1 }, everyMs * 2).catch(() => undefined);
    }
    cancel = clock.setTimeout(tick, everyMs);
  };
  tick();
  return () => {
    stopped = true;
    cancel?.();
  };
}

/** Resolves with the leader once one is known (self only once ready to write), or '' after `ms`. */
function waitForLeader(
  log: { leader(): string; isLeader(): boolean; onLeadershipChange(cb: () => void): () => void },
  selfID: string,
  ms: number,
): Promise<string> {
  const ready = () => {
    const leader = log.leader();
    return leader && (leader !== selfID || log.isLeader()) ? leader : '';
  };
  const now = ready();
  if (now || ms <= 0) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      clearInterval(poll);
      off();
      resolve(ready());
    };
    const timer = setTimeout(done, ms);
    // leadership events cover most changes; a short poll covers a follower learning the leader quietly
    const poll = setInterval(() => ready() && done(), 20);
    const off = log.onLeadershipChange(() => ready() && done());
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`swarmdeck: did not receive the swarm's state within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

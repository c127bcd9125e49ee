// Task logs over the cluster transport's request/response, without sockets:
// an agent process's publisher long-polls the leader's broker through the
// request router, and a follower manager reads logs through a log session.
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteLogBroker } from '../server/agent/log-broker-client';
import { LogPublisher } from '../server/agent/log-publisher';
import { LogRing } from '../server/agent/executor/log-ring';
import type { LogEnd, LogMessage } from '../server/api/logs';
import type { Task } from '../server/api/types';
import { RequestRouter } from '../server/manager/dispatcher/remote';
import { LogBroker, forwardingLogs, serveLogBroker } from '../server/manager/logbroker';
import type { PeerIdentity } from '../server/raft/transport';
import { makeNode, makeService, makeTask, openTempStore } from '../server/store/test-support';
import { iso, systemClock } from '../server/util/clock';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function until<T>(what: string, fn: () => T | undefined | false, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

class Rings {
  rings = new Map<string, LogRing>();
  print(taskID: string, line: string) {
    let r = this.rings.get(taskID);
    if (!r) this.rings.set(taskID, (r = new LogRing()));
    r.push({ stream: 'stdout', time: iso(Date.now()), line });
  }
  logs(taskID: string, opts: { tail?: number } = {}) {
    return this.rings.get(taskID)?.list(opts.tail) ?? [];
  }
  subscribeLogs(taskID: string, l: Parameters<LogRing['subscribe']>[0]) {
    return this.rings.get(taskID)?.subscribe(l) ?? (() => {});
  }
}

const as = (raftId: string, via: PeerIdentity['via']): PeerIdentity => ({ raftId, addr: '127.0.0.1:1', via });

async function setup(serveOpts: Parameters<typeof serveLogBroker>[2] = {}) {
  const s = await openTempStore();
  cleanup.push(() => s.close());
  const n1 = makeNode({ hostname: 'agent1' });
  const svc = makeService();
  const t1: Task = { ...makeTask(svc), NodeID: n1.ID, Status: { ...makeTask(svc).Status, State: 'running' } };
  await s.store.update((tx) => {
    tx.create('node', n1);
    tx.create('service', svc);
    tx.create('task', t1);
  });
  // a real clock: the polls below run in real time
  const real = new LogBroker(s.store, systemClock, { completionTimeoutMs: 3_000 });
  real.start();
  cleanup.push(() => real.stop());
  const router = new RequestRouter();
  let leading = true;
  cleanup.push(
    serveLogBroker(router, () => (leading ? real : undefined), { leaderHint: () => 'm1 (127.0.0.1:1)', ...serveOpts }),
  );
  const transportAs = (from: PeerIdentity) => ({
    request: (_to: string, payload: unknown) =>
      Promise.resolve()
        .then(() => router.handle(payload, from))
        .catch((err: { code?: string; message: string }) => {
          // what the transport does with a handler's error: a remote error with its code
          throw Object.assign(new Error(err.message), { kind: 'remote', code: err.code });
        }),
  });
  return { ...s, broker: real, router, n1, svc, t1, transportAs, stepDown: () => (leading = false) };
}

function collector() {
  const got: LogMessage[] = [];
  const ends: LogEnd[] = [];
  return { got, ends, sink: { messages: (b: LogMessage[]) => got.push(...b), end: (e: LogEnd) => ends.push(e) } };
}

describe('log broker over the transport', () => {
  it("an agent process's publisher answers through long-polls and publishes", async () => {
    const { broker, n1, svc, t1, transportAs } = await setup();
    const rings = new Rings();
    rings.print(t1.ID, 'first');
    rings.print(t1.ID, 'second');
    const client = new RemoteLogBroker({
      transport: transportAs(as(n1.ID, 'node')),
      leader: () => 'm1',
      pollWaitMs: 200,
    });
    const pub = new LogPublisher({ nodeID: n1.ID, source: rings, broker: client, flushMs: 20 });
    pub.start();
    cleanup.push(() => pub.stop());

    const once = collector();
    broker.open({ serviceIDs: [svc.ID] }, { follow: false, tail: 1 }, once.sink);
    await until('the non-follow subscription to end', () => once.ends.length > 0);
    expect(once.got.map((m) => m.line)).toEqual(['second']);
    expect(once.got[0]!.context).toEqual({ nodeID: n1.ID, serviceID: svc.ID, taskID: t1.ID });
    expect(once.ends).toEqual([{}]);

    const live = collector();
    const cancel = broker.open({ taskIDs: [t1.ID] }, { follow: true, tail: 0 }, live.sink);
    await until('the publisher to follow', () => pub.activeCount === 1);
    rings.print(t1.ID, 'third');
    await until('the followed line', () => live.got.length > 0);
    expect(live.got.map((m) => m.line)).toEqual(['third']);
    cancel();
    await until('the publisher to let go', () => pub.activeCount === 0);
  });

  it('a node acts only for itself; only managers open log sessions', async () => {
    const { router, n1, svc } = await setup();
    const asNode = as(n1.ID, 'node');
    await expect(
      Promise.resolve().then(() =>
        router.handle(
          { logbroker: 'subscriptions', nodeID: 'someone-else', stream: null, version: 0, waitMs: 0 },
          asNode,
        ),
      ),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    await expect(
      Promise.resolve().then(() =>
        router.handle({ logbroker: 'open', selector: { serviceIDs: [svc.ID] }, options: { follow: false } }, asNode),
      ),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    // a worker's join token reaches no log route at all
    expect(() =>
      router.handle(
        { logbroker: 'publish', nodeID: n1.ID, batch: { subscriptionID: 'x', lines: [] } },
        as('', 'worker-token'),
      ),
    ).toThrow(/^Permission denied: a join token admits only a join request$/);
  });

  it('a follower manager reads logs from the leader through a session, follow included', async () => {
    const { n1, svc, t1, transportAs } = await setup();
    const rings = new Rings();
    rings.print(t1.ID, 'kept');
    const pub = new LogPublisher({
      nodeID: n1.ID,
      source: rings,
      broker: new RemoteLogBroker({ transport: transportAs(as(n1.ID, 'node')), leader: () => 'm1', pollWaitMs: 200 }),
      flushMs: 20,
    });
    pub.start();
    cleanup.push(() => pub.stop());
    const m2 = transportAs(as('m2', 'member'));
    const logs = forwardingLogs(
      () => undefined,
      { selfID: 'm2', leader: () => 'm1', request: m2.request },
      { pollWaitMs: 200 },
    );

    const once = collector();
    await logs.subscribe({ serviceIDs: [svc.ID] }, { follow: false }, once.sink);
    await until('the forwarded subscription to end', () => once.ends.length > 0);
    expect(once.got.map((m) => m.line)).toEqual(['kept']);

    const live = collector();
    const cancel = await logs.subscribe({ serviceIDs: [svc.ID] }, { follow: true, tail: 0 }, live.sink);
    await until('the publisher to follow', () => pub.activeCount === 1);
    rings.print(t1.ID, 'fresh');
    await until('the forwarded live line', () => live.got.length > 0);
    expect(live.got.map((m) => m.line)).toEqual(['fresh']);
    cancel();
    await until('the leader to drop the session', () => pub.activeCount === 0);
  });

  it('a manager that is not the leader says so', async () => {
    const { svc, transportAs, stepDown } = await setup();
    stepDown();
    const m2 = transportAs(as('m2', 'member'));
    const logs = forwardingLogs(() => undefined, { selfID: 'm2', leader: () => 'm1', request: m2.request });
    await expect(logs.subscribe({ serviceIDs: [svc.ID] }, { follow: false }, collector().sink)).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('the leader is m1'),
    });
  });

  it("a follower's slow reader pauses the whole way: the follower stops polling, the leader's session answers the node busy, the node keeps its lines", async () => {
    const { n1, svc, t1, transportAs } = await setup({ sessionBusyBytes: 10_000 });
    const rings = new Rings();
    rings.print(t1.ID, 'before');
    const node = transportAs(as(n1.ID, 'node'));
    let busyAnswers = 0;
    const counting = {
      request: async (to: string, payload: unknown) => {
        const answer = await node.request(to, payload);
        if ((answer as { busy?: boolean } | null)?.busy) busyAnswers++;
        return answer;
      },
    };
    const pub = new LogPublisher({
      nodeID: n1.ID,
      source: rings,
      broker: new RemoteLogBroker({ transport: counting, leader: () => 'm1', pollWaitMs: 200 }),
      flushMs: 20,
    });
    pub.start();
    cleanup.push(() => pub.stop());
    const m2 = transportAs(as('m2', 'member'));
    const logs = forwardingLogs(
      () => undefined,
      { selfID: 'm2', leader: () => 'm1', request: m2.request },
      { pollWaitMs: 200 },
    );

    // the follower's reader is behind from the start
    let catchUp!: () => void;
    let behind: Promise<void> | undefined = new Promise<void>((r) => (catchUp = r));
    const got: LogMessage[] = [];
    const cancel = await logs.subscribe(
      { serviceIDs: [svc.ID] },
      { follow: true, tail: 0 },
      {
        messages: (b) => got.push(...b),
        end: () => {},
        ready: () => behind,
      },
    );
    cleanup.push(cancel);
    await until('the publisher to follow', () => pub.activeCount === 1);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(100)}`);
    // in three batches: the first fills the leader's session, the others are refused until the reader catches up
    for (let i = 0; i < 3; i++) {
      for (const l of lines.slice(i * 100, i * 100 + 100)) rings.print(t1.ID, l);
      await new Promise((r) => setTimeout(r, 100));
    }
    await until('the leader to answer the node busy', () => busyAnswers > 0);
    expect(got).toEqual([]);

    behind = undefined;
    catchUp();
    await until('every line', () => got.length >= lines.length);
    expect(got.map((m) => m.line)).toEqual(lines);
  });
});

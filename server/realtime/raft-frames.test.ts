import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { RaftEvent, RaftView } from '../api/raft-view';
import type { ConsoleState, RaftFrame, SnapshotFrame } from '../api/realtime';
import type { ManagerContext } from '../manager/context';
import type { RaftViewSource } from '../manager/raft-view-source';
import { consoleState } from '../http/console/api';
import { openTempStore } from '../store/test-support';
import { ManualClock, systemClock } from '../util/clock';
import { ConsoleAuth } from '../auth/console-auth';
import { loggedIn } from '../auth/test-support';
import { attachRealtime } from './gateway';
import { RaftBroadcaster } from './raft-frames';

const view = (term: number, commit = 1): RaftView => ({
  observedBy: 'm1',
  at: new Date(0).toISOString(),
  term,
  leader: 'm1',
  role: 'leader',
  commit,
  applied: commit,
  snapshot: { index: 0, bytes: 0 },
  members: [{ raftId: 'm1', nodeID: 'm1', hostname: 'mgr', addr: 'a:1', role: 'leader', self: true, reachable: true }],
  quorum: { voters: 1, majority: 1, reachableVoters: 1, canLose: 0 },
  hasQuorum: true,
  failedEntries: { total: 0, recent: [] },
});

class FakeSource implements RaftViewSource {
  current = view(1);
  log: RaftEvent[] = [{ at: 'x', kind: 'leader-elected', term: 1, member: 'm1' }];
  listeners = new Set<() => void>();
  view = () => this.current;
  events = () => this.log;
  onChange(l: () => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(v: RaftView, event?: RaftEvent) {
    this.current = v;
    if (event) this.log = [...this.log, event];
    for (const l of this.listeners) l();
  }
}

describe('RaftBroadcaster', () => {
  it('coalesces bursts to the latest view and sends the events only when they changed', () => {
    const clock = new ManualClock();
    const src = new FakeSource();
    const sent: RaftFrame[] = [];
    const b = new RaftBroadcaster(src, clock, (f) => sent.push(f), 50);
    src.set(view(1, 2));
    expect(sent).toEqual([{ view: view(1, 2) }]); // first change goes out at once, events unchanged
    src.set(view(1, 3));
    src.set(view(2, 4), { at: 'y', kind: 'leader-elected', term: 2, member: 'm1' });
    expect(sent).toHaveLength(1);
    clock.advance(50);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.view.term).toBe(2);
    expect(sent[1]!.events?.map((e) => e.term)).toEqual([1, 2]);
    b.close();
    src.set(view(3));
    clock.advance(100);
    expect(sent).toHaveLength(2);
  });
});

describe('the gateway and /api/state with a raft source', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function serve(raft?: RaftViewSource) {
    const opened = await openTempStore();
    cleanups.push(() => opened.close());
    const ctx = {
      store: opened.store,
      clock: systemClock,
      selfNodeID: 'm1',
      clusterAddr: 'a:1',
      raft,
    } as ManagerContext;
    const server = http.createServer((_req, res) => res.end('next'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const rt = attachRealtime(server, ctx, new ConsoleAuth(ctx), { frameIntervalMs: 20 });
    cookie = (await loggedIn(opened.store, 'admin', 'admin')).cookie;
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanups.push(() => rt.close());
    return { ctx, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  let cookie = '';
  function client(url: string) {
    const socket = connect(url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie } });
    const got = { snapshots: [] as SnapshotFrame[], raft: [] as RaftFrame[] };
    socket.on('snapshot', (f: SnapshotFrame) => got.snapshots.push(f));
    socket.on('raft', (f: RaftFrame) => got.raft.push(f));
    cleanups.push(() => void socket.close());
    return got;
  }

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  it('sends the raft view with the snapshot and pushes changes', async () => {
    const src = new FakeSource();
    const { ctx, url } = await serve(src);
    expect((consoleState(ctx) as ConsoleState).raft).toEqual({ view: view(1), events: src.log });
    const c = client(url);
    await until(() => c.snapshots.length === 1);
    expect(c.snapshots[0]!.raft).toEqual({ view: view(1), events: src.log });
    src.set(view(5, 9), { at: 'z', kind: 'leader-elected', term: 5, member: 'm1' });
    await until(() => c.raft.length === 1);
    expect(c.raft[0]!.view.term).toBe(5);
    expect(c.raft[0]!.events).toHaveLength(2);
  });

  it('sends nothing about raft when the manager has no raft source', async () => {
    const { ctx, url } = await serve(undefined);
    expect(consoleState(ctx).raft).toBeUndefined();
    const c = client(url);
    await until(() => c.snapshots.length === 1);
    expect(c.snapshots[0]).not.toHaveProperty('raft');
    await new Promise((r) => setTimeout(r, 50));
    expect(c.raft).toEqual([]);
  });
});

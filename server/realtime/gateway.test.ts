import http from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import {
  REALTIME_PROTOCOL_VERSION,
  type BeatFrame,
  type ChangesFrame,
  type CountsFrame,
  type SnapshotFrame,
} from '../api/realtime';
import type { Secret } from '../api/types';
import type { ManagerContext } from '../manager/context';
import { makeCluster, makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../store/test-support';
import { systemClock } from '../util/clock';
import { ConsoleAuth } from '../auth/console-auth';
import { addAccount, addSession, addShareLink, loggedIn } from '../auth/test-support';
import { issueToken } from '../auth/tokens';
import { SESSION_COOKIE } from '../api/auth';
import type { MetricSample, MetricsFrame } from '../api/metric-sample';
import { attachRealtime, type RealtimeOptions, type SampleFeed } from './gateway';

/** The Cookie header of the admin the last setup() logged in. */
let adminCookie = '';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: RealtimeOptions = {}) {
  const opened = await openTempStore();
  cleanups.push(() => opened.close());
  const self = makeNode({ hostname: 'mgr', Role: 'manager' });
  await opened.store.update((tx) => {
    tx.create('node', self);
    tx.create('secret', {
      ID: 'sec1',
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      Spec: { Name: 'pw', Labels: {}, Data: 'aHVudGVyMg==' },
    } satisfies Secret);
    tx.create('cluster', makeCluster());
  });
  const ctx = {
    store: opened.store,
    clock: systemClock,
    selfNodeID: self.ID,
    clusterAddr: '10.0.0.1:2377',
  } as ManagerContext;
  const server = http.createServer((_req, res) => res.end('next'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const rt = attachRealtime(server, ctx, new ConsoleAuth(ctx), { frameIntervalMs: 50, ...opts });
  adminCookie = (await loggedIn(opened.store, 'admin', 'admin')).cookie;
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  cleanups.push(() => rt.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { store: opened.store, url, self };
}

interface Client {
  socket: Socket;
  snapshots: SnapshotFrame[];
  frames: ChangesFrame[];
}
function client(
  url: string,
  auth: Record<string, unknown> = {},
  localAddress?: string,
  cookie: string = adminCookie,
): Client {
  // localAddress reaches the Node WebSocket (engine.io-client passes it on) but is not in socket.io's types
  const opts = {
    transports: ['websocket'],
    auth,
    reconnection: false,
    localAddress,
    extraHeaders: cookie ? { cookie } : {},
  } as Parameters<typeof connect>[1];
  const socket = connect(url, opts);
  const c: Client = { socket, snapshots: [], frames: [] };
  socket.on('snapshot', (f: SnapshotFrame) => c.snapshots.push(f));
  socket.on('changes', (f: ChangesFrame) => c.frames.push(f));
  cleanups.push(() => void socket.close());
  return c;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('attachRealtime', () => {
  it('sends a redacted snapshot, then coalesced change frames', async () => {
    // frames 2 s apart: six writes coalesce even when a loaded machine takes 100s of ms per fsync
    // (at the 50 ms default each write could get its own frame there)
    const { store, url, self } = await setup({ frameIntervalMs: 2_000 });
    const c = client(url, { v: REALTIME_PROTOCOL_VERSION });
    await until(() => c.snapshots.length === 1, 'snapshot');
    const snap = c.snapshots[0]!;
    expect(snap.index).toBe(store.view.index);
    expect(snap.objects.secret[0]!.Spec.Data).toBeUndefined();
    expect(snap.objects.cluster[0]!.JoinTokens).toEqual({ Worker: '', Manager: '' });
    expect(snap.objects.node.find((n) => n.ID === self.ID)!.ManagerStatus?.Leader).toBe(true);
    // the store itself is untouched
    expect(store.view.get('secret', 'sec1')!.Spec.Data).toBe('aHVudGVyMg==');

    const svc = makeService();
    await store.update((tx) => tx.create('service', svc));
    for (let i = 0; i < 5; i++) {
      await store.update((tx) => {
        const cur = tx.get('service', svc.ID)!;
        tx.update('service', { ...cur, Spec: { ...cur.Spec, Labels: { n: String(i) } } });
      });
    }
    await until(() => c.frames.at(-1)?.to === store.view.index, 'frames up to the store index');
    expect(c.frames[0]!.from).toBe(snap.index);
    for (let i = 1; i < c.frames.length; i++) expect(c.frames[i]!.from).toBe(c.frames[i - 1]!.to);
    expect(c.frames.length).toBeLessThan(6); // six entries, coalesced
    const last = c.frames
      .flatMap((f) => f.changes)
      .filter((ch) => ch.id === svc.ID)
      .at(-1)!;
    expect(last.action !== 'delete' && last.kind === 'service' && last.object.Spec.Labels).toEqual({ n: '4' });
  });

  it('change frames carry secrets (created, relabelled, removed) and configs without their data', async () => {
    const { store, url } = await setup();
    const c = client(url, { v: REALTIME_PROTOCOL_VERSION });
    await until(() => c.snapshots.length === 1, 'snapshot');
    const value = Buffer.from('a-value-no-socket-sees').toString('base64');
    const meta = (id: string, tx: { now: string }) => ({
      ID: id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
    });
    await store.update((tx) => {
      tx.create('secret', { ...meta('sec2', tx), Spec: { Name: 'api', Labels: {}, Data: value } });
      tx.create('config', { ...meta('cfg1', tx), Spec: { Name: 'conf', Labels: {}, Data: value } });
    });
    // each step in its own frame (frames net a create and a delete to nothing)
    const sent = () => c.frames.at(-1)?.to === store.view.index;
    await until(sent, 'the create');
    await store.update((tx) => {
      const cur = tx.get('secret', 'sec2')!;
      tx.update('secret', { ...cur, Spec: { ...cur.Spec, Labels: { a: '1' } } });
    });
    await until(sent, 'the update');
    await store.update((tx) => tx.delete('secret', 'sec2'));
    await until(sent, 'the delete');
    const changes = c.frames.flatMap((f) => f.changes);
    const config = changes.find((ch) => ch.kind === 'config' && ch.action !== 'delete');
    expect(config && 'object' in config && config.object.Spec).toEqual({ Name: 'conf', Labels: {} });
    expect(changes.filter((ch) => ch.id === 'sec2').map((ch) => ch.action)).toEqual(['create', 'update', 'delete']);
    expect(JSON.stringify(changes)).not.toContain(value);
  });

  it('resumes a reconnecting client with only the missed changes, else sends a snapshot', async () => {
    const { store, url } = await setup();
    const since = store.view.index;
    const svc = makeService();
    await store.update((tx) => tx.create('service', svc));
    const resumed = client(url, { v: REALTIME_PROTOCOL_VERSION, since });
    await until(() => resumed.frames.length === 1, 'resume frame');
    expect(resumed.snapshots).toHaveLength(0);
    expect(resumed.frames[0]).toMatchObject({ from: since, to: store.view.index });
    expect(resumed.frames[0]!.changes.map((ch) => `${ch.kind}:${ch.action}:${ch.id}`)).toEqual([
      `service:create:${svc.ID}`,
    ]);

    const future = client(url, { v: REALTIME_PROTOCOL_VERSION, since: store.view.index + 100 });
    await until(() => future.snapshots.length === 1, 'snapshot for an unknown index');
    expect(future.snapshots[0]!.objects.service.map((s) => s.ID)).toEqual([svc.ID]);
  });

  it('refuses a handshake with a malformed field, naming it, and drops a console that emits anything', async () => {
    const { url } = await setup();
    const bad = client(url, { v: REALTIME_PROTOCOL_VERSION, since: 'yesterday' });
    const refused = await new Promise<string>((r) => bad.socket.once('connect_error', (e) => r(e.message)));
    expect(refused).toBe('invalid handshake: since must be a non-negative integer');
    expect(bad.snapshots).toHaveLength(0);

    const chatty = client(url, { v: REALTIME_PROTOCOL_VERSION });
    await until(() => chatty.snapshots.length === 1, 'snapshot');
    const gone = new Promise<string>((r) => chatty.socket.once('disconnect', (reason) => r(reason)));
    chatty.socket.emit('scale', { service: 'web', replicas: 1e9 });
    expect(await gone).toBe('io server disconnect');
  });

  it('limits console sessions per address and in total, with a clear refusal', async () => {
    const { url } = await setup({ maxClients: 3, maxClientsPerPeer: 2 });
    /** An engine.io polling handshake from `from`: its status and message. */
    const handshake = (from: string) =>
      new Promise<{ status: number; message: string }>((resolve, reject) => {
        const req = http.get(`${url}/socket.io/?EIO=4&transport=polling`, { localAddress: from }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            const parsed = res.statusCode === 200 ? {} : (JSON.parse(body) as { message?: string });
            resolve({ status: res.statusCode ?? 0, message: parsed.message ?? '' });
          });
        });
        req.on('error', reject);
      });
    const a = [client(url, {}, '127.0.0.2'), client(url, {}, '127.0.0.2')];
    await until(() => a.every((c) => c.snapshots.length === 1), 'two sessions from 127.0.0.2');
    expect(await handshake('127.0.0.2')).toEqual({
      status: 403,
      message: 'too many console sessions from 127.0.0.2 (2)',
    });
    const other = client(url, {}, '127.0.0.3');
    await until(() => other.snapshots.length === 1, 'a session from another address');
    expect(await handshake('127.0.0.4')).toEqual({ status: 403, message: 'too many console sessions (3)' });
    // a closed session frees its place
    a[0]!.socket.close();
    const end = Date.now() + 5_000;
    while ((await handshake('127.0.0.2')).status !== 200) {
      if (Date.now() > end) throw new Error('no place after a session closed');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('a client that stops reading gets no queue: it is disconnected once it took nothing for the stall time; the others go on', async () => {
    const { store, url } = await setup({ stallMs: 1_000 });
    const slow = client(url, { v: REALTIME_PROTOCOL_VERSION });
    const fast = client(url, { v: REALTIME_PROTOCOL_VERSION });
    await until(() => slow.snapshots.length === 1 && fast.snapshots.length === 1, 'snapshots');
    // the slow one's TCP socket stops reading (engine.io-client runs over the ws package here)
    const transport = slow.socket.io.engine.transport as unknown as { ws?: { _socket?: NetSocket } };
    const raw = transport.ws?._socket;
    expect(raw).toBeDefined();
    raw!.pause();
    let dropped = false;
    slow.socket.on('disconnect', () => (dropped = true));

    // 60 frames of ~200 KB: far more than the kernel's buffers hold for a reader that does not read
    const svc = makeService();
    await store.update((tx) => tx.create('service', svc));
    const big = 'v'.repeat(200_000);
    for (let i = 0; i < 60; i++) {
      await store.update((tx) => {
        const cur = tx.get('service', svc.ID)!;
        tx.update('service', { ...cur, Spec: { ...cur.Spec, Labels: { big, n: String(i) } } });
      });
      await new Promise((r) => setTimeout(r, 60));
    }
    await until(() => fast.frames.at(-1)?.to === store.view.index, 'the reading client up to the store index');
    raw!.resume();
    await until(() => dropped, 'the stalled client to be dropped', 10_000);
    expect(fast.socket.connected).toBe(true);
  });
});

describe('task scopes and counts', () => {
  const taskIDs = (changes: ChangesFrame['changes']) =>
    changes.filter((ch) => ch.kind === 'task').map((ch) => `${ch.action}:${ch.id}`);

  it('sends a scoped client only the tasks of its services, in the snapshot, the frames and a resume', async () => {
    const { store, url, self } = await setup();
    const web = makeService({ ID: 'web', Spec: makeServiceSpec({ Name: 'web' }) });
    const db = makeService({ ID: 'db', Spec: makeServiceSpec({ Name: 'db' }) });
    const run = (svc: typeof web, id: string) =>
      makeTask(svc, {
        ID: id,
        NodeID: self.ID,
        DesiredState: 'running',
        Status: { ...makeTask(svc).Status, State: 'running' },
      });
    await store.update((tx) => {
      for (const svc of [web, db]) tx.create('service', svc);
      tx.create('task', run(web, 'w1'));
      tx.create('task', run(db, 'd1'));
    });
    const all = client(url, { v: REALTIME_PROTOCOL_VERSION });
    const scoped = client(url, { v: REALTIME_PROTOCOL_VERSION, tasks: { services: ['db'] } });
    await until(() => all.snapshots.length === 1 && scoped.snapshots.length === 1, 'snapshots');
    expect(all.snapshots[0]!.objects.task.map((t) => t.ID).sort()).toEqual(['d1', 'w1']);
    expect(all.snapshots[0]!.tasks).toBe('all');
    expect(scoped.snapshots[0]!.objects.task.map((t) => t.ID)).toEqual(['d1']);
    expect(scoped.snapshots[0]!.tasks).toEqual({ services: ['db'] });
    // every service and node is still there: only tasks are scoped
    expect(scoped.snapshots[0]!.objects.service.map((s) => s.ID).sort()).toEqual(['db', 'web']);

    const since = store.view.index;
    await store.update((tx) => {
      tx.create('task', run(web, 'w2'));
      tx.create('task', run(db, 'd2'));
    });
    await store.update((tx) => tx.delete('task', 'w1'));
    await until(() => scoped.frames.at(-1)?.to === store.view.index, 'scoped frames');
    await until(() => all.frames.at(-1)?.to === store.view.index, 'frames');
    expect(taskIDs(all.frames.flatMap((f) => f.changes)).sort()).toEqual(['create:d2', 'create:w2', 'delete:w1']);
    // a delete carries only the ID, so it goes to everyone (a client drops an ID it does not hold)
    expect(taskIDs(scoped.frames.flatMap((f) => f.changes)).sort()).toEqual(['create:d2', 'delete:w1']);

    const resumed = client(url, { v: REALTIME_PROTOCOL_VERSION, since, tasks: { services: ['web'] } });
    await until(() => resumed.frames.length === 1, 'resume frame');
    expect(taskIDs(resumed.frames[0]!.changes).sort()).toEqual(['create:w2', 'delete:w1']);
  });

  it('answers a new scope with a snapshot of it, and frames of it from there on', async () => {
    const { store, url } = await setup();
    const web = makeService({ ID: 'web' });
    await store.update((tx) => {
      tx.create('service', web);
      tx.create('task', makeTask(web, { ID: 'w1' }));
    });
    const c = client(url, { v: REALTIME_PROTOCOL_VERSION, tasks: { services: [] } });
    await until(() => c.snapshots.length === 1, 'snapshot');
    expect(c.snapshots[0]!.objects.task).toEqual([]);
    c.socket.emit('scope', { services: ['web'] });
    await until(() => c.snapshots.length === 2, 'the scope snapshot');
    expect(c.snapshots[1]!.objects.task.map((t) => t.ID)).toEqual(['w1']);
    expect(c.snapshots[1]!.index).toBe(store.view.index);
    await store.update((tx) => tx.create('task', makeTask(web, { ID: 'w2' })));
    await until(() => c.frames.at(-1)?.to === store.view.index, 'frames');
    expect(taskIDs(c.frames.flatMap((f) => f.changes))).toEqual(['create:w2']);
    expect(c.frames.at(-1)!.from).toBe(c.snapshots[1]!.index);

    // a scope that does not parse ends the connection
    const gone = new Promise<string>((r) => c.socket.once('disconnect', (reason) => r(reason)));
    c.socket.emit('scope', { services: ['../etc'] });
    expect(await gone).toBe('io server disconnect');

    // and so does asking for snapshot after snapshot: 20 changes in 10 s are served, the 21st is not
    const busy = client(url, { v: REALTIME_PROTOCOL_VERSION, tasks: { services: [] } });
    await until(() => busy.snapshots.length === 1, 'snapshot');
    const dropped = new Promise<string>((r) => busy.socket.once('disconnect', (reason) => r(reason)));
    for (let i = 0; i < 21; i++) busy.socket.emit('scope', { services: i % 2 ? ['web'] : [] });
    expect(await dropped).toBe('io server disconnect');
    expect(busy.snapshots).toHaveLength(21);
  });

  it('counts running over desired per service and running tasks per node, whatever the scope, as deltas', async () => {
    const { store, url, self } = await setup();
    const web = makeService({ ID: 'web', Spec: { ...makeService().Spec, Mode: { Replicated: { Replicas: 2 } } } });
    const state = (id: string, s: 'running' | 'pending') =>
      makeTask(web, {
        ID: id,
        NodeID: self.ID,
        DesiredState: 'running',
        Status: { ...makeTask(web).Status, State: s },
      });
    await store.update((tx) => {
      tx.create('service', web);
      tx.create('task', state('w1', 'running'));
      tx.create('task', state('w2', 'pending'));
    });
    const c = client(url, { v: REALTIME_PROTOCOL_VERSION, tasks: { services: [] } });
    const counts: CountsFrame[] = [];
    c.socket.on('counts', (f: CountsFrame) => counts.push(f));
    await until(() => counts.length === 1, 'counts on connect');
    expect(counts[0]).toEqual({
      reset: true,
      services: { web: { running: 1, desired: 2 } },
      nodes: { [self.ID]: 1 },
    });
    await store.update((tx) =>
      tx.update('task', { ...state('w2', 'running'), Version: tx.get('task', 'w2')!.Version }),
    );
    await until(() => counts.length === 2, 'a delta');
    expect(counts[1]).toEqual({ services: { web: { running: 2, desired: 2 } }, nodes: { [self.ID]: 2 } });
    // a change that moves no count sends nothing; a removed service is sent as null
    await store.update((tx) =>
      tx.update('service', {
        ...web,
        Version: tx.get('service', 'web')!.Version,
        Spec: { ...web.Spec, Labels: { a: 'b' } },
      }),
    );
    await store.update((tx) => tx.delete('service', 'web'));
    await until(() => counts.length === 3, 'the removal');
    expect(counts[2]!.services).toEqual({ web: null });
  });
});

describe('liveness', () => {
  it('tells clients ping timing that closes a dead link within 5 s, and beats with the applied index', async () => {
    const { store, url } = await setup({ beatIntervalMs: 100 });
    const c = client(url, { v: REALTIME_PROTOCOL_VERSION });
    let handshake: { pingInterval: number; pingTimeout: number } | undefined;
    c.socket.io.engine.on('handshake', (d) => (handshake = d));
    const beats: BeatFrame[] = [];
    c.socket.on('beat', (b: BeatFrame) => beats.push(b));
    await until(() => c.snapshots.length === 1 && handshake !== undefined, 'snapshot and handshake');
    expect(handshake!.pingInterval + handshake!.pingTimeout).toBeLessThanOrEqual(5000);

    await until(() => beats.length >= 3, 'three beats');
    const first = beats[0]!;
    expect(first.index).toBe(store.view.index);
    expect(Math.abs(first.at - Date.now())).toBeLessThan(5000);
    await store.update((tx) => tx.create('service', makeService()));
    const applied = store.view.index;
    const seen = beats.length;
    // the next beats carry the new index, and they keep coming while nothing changes
    await until(() => beats.length >= seen + 3, 'beats after the update');
    expect(beats.at(-1)!.index).toBe(applied);
    for (let i = 1; i < beats.length; i++) expect(beats[i]!.at).toBeGreaterThanOrEqual(beats[i - 1]!.at);
  });
});

describe('live chart samples', () => {
  const sampleAt = (at: number): MetricSample => ({
    at,
    term: 1,
    commitIndex: at / 1000,
    applyLag: 0,
    leaderChanges: 0,
    proposals: 0,
    tasksRunning: 2,
    tasksDesired: 3,
    nodesReady: 1,
    nodes: 1,
    apiRequests: 0,
    apiLatencyBuckets: [],
    socketClients: 1,
  });
  /** A feed the test drives: a ring of samples, and a way to take the next one. */
  function feed(): SampleFeed & { take(s: MetricSample): void; listeners: number } {
    const ring = [sampleAt(1000), sampleAt(2000)];
    const listeners = new Set<(s: MetricSample) => void>();
    return {
      ring: () => ring.slice(),
      onSample(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      take(s) {
        ring.push(s);
        listeners.forEach((l) => l(s));
      },
      get listeners() {
        return listeners.size;
      },
    };
  }

  it('sends the whole ring on connect, then each new sample alone, to viewers too', async () => {
    const samples = feed();
    const { url, store } = await setup({ samples });
    const viewer = (await loggedIn(store, 'vera', 'viewer')).cookie;
    const frames: MetricsFrame[][] = [[], []];
    const clients = [client(url, {}), client(url, {}, undefined, viewer)];
    clients.forEach((c, i) => c.socket.on('metrics', (f: MetricsFrame) => frames[i]!.push(f)));
    await until(() => frames.every((f) => f.length === 1), 'the ring');
    for (const f of frames) expect(f[0]).toEqual({ reset: true, samples: [sampleAt(1000), sampleAt(2000)] });
    samples.take(sampleAt(3000));
    await until(() => frames.every((f) => f.length === 2), 'the next sample');
    for (const f of frames) expect(f[1]).toEqual({ samples: [sampleAt(3000)] });
    expect(samples.listeners).toBe(1);
  });
});

describe('who may open the stream', () => {
  interface Watched extends Client {
    error?: string;
    disconnected: boolean;
  }
  function watched(url: string, cookie: string, auth: Record<string, unknown> = { v: REALTIME_PROTOCOL_VERSION }) {
    const c = client(url, auth, undefined, cookie) as Watched;
    c.disconnected = false;
    c.socket.on('connect_error', (e: Error) => (c.error = e.message));
    c.socket.on('disconnect', () => (c.disconnected = true));
    return c;
  }
  const secret = (id: string, name: string): Secret => ({
    ID: id,
    Version: { Index: 0 },
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Spec: { Name: name, Labels: {}, Data: 'c2VjcmV0' },
  });

  it('refuses a handshake without a live session: none, a forged one, an expired one', async () => {
    const { store, url } = await setup();
    const viewer = await addAccount(store, 'v', 'viewer');
    const expired = await addSession(store, viewer.id, -1_000);
    const forged = `${SESSION_COOKIE}=${issueToken().token}`;
    for (const cookie of ['', forged, expired.cookie]) {
      const c = watched(url, cookie);
      await until(() => c.error !== undefined, `the refusal of ${cookie || 'no cookie'}`);
      expect(c.error).toBe('log in first');
      expect(c.snapshots).toEqual([]);
    }
  });

  it('viewers and share links get no secret, in the snapshot, the change frames or a resume; operators do', async () => {
    const { store, url } = await setup();
    const viewer = (await loggedIn(store, 'v', 'viewer')).cookie;
    const link = (await addShareLink(store)).cookie;
    const operator = (await loggedIn(store, 'o', 'operator')).cookie;
    const clients = { viewer: watched(url, viewer), link: watched(url, link), operator: watched(url, operator) };
    for (const c of Object.values(clients)) await until(() => c.snapshots.length === 1, 'snapshot');
    expect(clients.viewer.snapshots[0]!.objects.secret).toEqual([]);
    expect(clients.link.snapshots[0]!.objects.secret).toEqual([]);
    expect(clients.operator.snapshots[0]!.objects.secret.map((s) => s.Spec.Name)).toEqual(['pw']);
    const since = store.view.index;

    await store.update((tx) => tx.create('secret', secret('sec2', 'api_key')));
    const svc = makeService();
    await store.update((tx) => tx.create('service', svc));
    for (const c of Object.values(clients))
      await until(() => c.frames.at(-1)?.to === store.view.index, 'frames up to the store index');
    const kinds = (c: Client) => c.frames.flatMap((f) => f.changes.map((ch) => ch.kind));
    expect(kinds(clients.viewer)).toEqual(['service']);
    expect(kinds(clients.link)).toEqual(['service']);
    expect(kinds(clients.operator)).toEqual(['secret', 'service']);
    for (const c of [clients.viewer, clients.link]) expect(JSON.stringify(c.frames)).not.toContain('api_key');

    const resumed = watched(url, viewer, { v: REALTIME_PROTOCOL_VERSION, since });
    await until(() => resumed.frames.length === 1, 'the resume frame');
    // one frame from where it was to now, without the secret
    expect(resumed.frames[0]).toMatchObject({ from: since, to: store.view.index });
    expect(resumed.frames[0]!.changes.map((ch) => ch.kind)).toEqual(['service']);
  });

  it('drops the sockets of a revoked link, a logged-out session and a demoted account at once; others stay', async () => {
    const { store, url } = await setup();
    const link = await addShareLink(store);
    const op = await loggedIn(store, 'o', 'operator');
    const gone = await loggedIn(store, 'g', 'viewer');
    const c = {
      admin: watched(url, adminCookie),
      link: watched(url, link.cookie),
      op: watched(url, op.cookie),
      gone: watched(url, gone.cookie),
    };
    for (const x of Object.values(c)) await until(() => x.snapshots.length === 1, 'snapshot');

    await store.update((tx) => tx.delete('shareLink', link.id));
    await until(() => c.link.disconnected, 'the revoked link dropped', 1_000);
    // and it cannot come back
    const again = watched(url, link.cookie);
    await until(() => again.error !== undefined, 'the revoked link refused');
    expect(again.error).toBe('log in first');

    await store.update((tx) => {
      const a = tx.get('account', op.account.id)!;
      tx.update('account', { ...a, Role: 'viewer' });
    });
    await until(() => c.op.disconnected, 'the demoted operator dropped', 1_000);
    // its session lives on with the new role: a reconnect gets a viewer's snapshot
    const demoted = watched(url, op.cookie);
    await until(() => demoted.snapshots.length === 1, 'the demoted snapshot');
    expect(demoted.snapshots[0]!.objects.secret).toEqual([]);

    await store.update((tx) => tx.delete('session', gone.id));
    await until(() => c.gone.disconnected, 'the logged-out session dropped', 1_000);
    expect(c.admin.disconnected).toBe(false);
    expect(c.admin.socket.connected).toBe(true);
  });

  it('drops a socket when its session expires, without waiting for the purge', async () => {
    const { store, url } = await setup();
    const v = await addAccount(store, 'v', 'viewer');
    const short = await addSession(store, v.id, 1_500);
    const c = watched(url, short.cookie);
    await until(() => c.snapshots.length === 1, 'snapshot');
    await until(() => c.disconnected, 'the expired session dropped', 4_000);
    expect(store.view.get('session', short.id)).toBeDefined();
  });
});

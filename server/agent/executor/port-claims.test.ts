// Host-wide port claims: files in a shared directory, with real processes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../api/types';
import { PortClaims } from './port-claims';
import { ProcessExecutor } from './process';
import { until } from './process-test-support';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-claims-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

describe('PortClaims', () => {
  it('gives a port to one claimer at a time, releases only its own claim, and takes over a dead claimer’s', async () => {
    const dir = join(root, 'unit');
    const a = new PortClaims(dir);
    const b = new PortClaims(dir);
    expect(await a.claim('tcp', 40001)).toBe(true);
    expect(await a.claim('tcp', 40001)).toBe(true); // already ours
    expect(await b.claim('tcp', 40001)).toBe(false);
    expect(await b.claim('udp', 40001)).toBe(true); // another protocol, another port
    await b.release('tcp', 40001); // not b's: nothing happens
    expect(await b.claim('tcp', 40001)).toBe(false);
    await a.release('tcp', 40001);
    expect(await b.claim('tcp', 40001)).toBe(true);
    expect(await a.claim('tcp', 40001, true)).toBe(true); // adoption takes it over
    expect(await b.claim('tcp', 40001)).toBe(false);

    // a claimer that has exited: its claim is stale
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    await writeFile(join(dir, 'tcp-40002'), JSON.stringify({ pid: dead.pid, token: 'gone' }));
    expect(await b.claim('tcp', 40002)).toBe(true);
    // one being written right now (empty): live
    await writeFile(join(dir, 'tcp-40003'), '');
    expect(await b.claim('tcp', 40003)).toBe(false);
  });
});

function webTask(id: string, target: number): Task {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0 },
    ServiceID: 'svc1',
    Slot: 1,
    NodeID: 'n',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'web', Labels: {} },
    Endpoint: { Spec: { Ports: [{ Protocol: 'tcp', TargetPort: target }] } },
  };
}

describe('two executors on one host (two agents)', () => {
  it('never hand the same host port to two tasks: the second prepared before the first listens gets another one, and both run', async () => {
    const dir = join(root, 'shared');
    const target = await freePort();
    const one = new ProcessExecutor({
      node: { ID: 'n1' },
      workRoot: join(root, 'w1'),
      portClaims: new PortClaims(dir),
    });
    const two = new ProcessExecutor({
      node: { ID: 'n2' },
      workRoot: join(root, 'w2'),
      portClaims: new PortClaims(dir),
    });
    const a = webTask(`claimA${process.pid}`, target);
    const b = webTask(`claimB${process.pid}`, target);
    try {
      // both prepared (ports picked) before either task has bound its port: the probe alone says free twice
      await one.prepare(a);
      await two.prepare(b);
      const pa = one.ports(a.ID)[0]!.HostPort;
      const pb = two.ports(b.ID)[0]!.HostPort;
      expect(pa).toBe(target);
      expect(pb).not.toBe(target);
      await one.start(a);
      await two.start(b);
      for (const [ex, t] of [
        [one, a],
        [two, b],
      ] as const)
        await until(() => ex.logs(t.ID).some((l) => l.line.startsWith('http: listening')), 5_000, `${t.ID} listening`);
      // after the first task is gone, its port is free for the other executor again
      await one.remove(a);
      const c = webTask(`claimC${process.pid}`, target);
      await two.prepare(c);
      expect(two.ports(c.ID)[0]!.HostPort).toBe(target);
      await two.remove(c);
    } finally {
      await one.remove(a);
      await two.remove(b);
    }
  });
});

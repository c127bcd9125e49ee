// Netns mode of the process executor with real namespaces and processes
// (server/agent/executor/PROCESS.md, "Netns mode"): two replicas on :80 on one
// agent, each on its own address; same network reachable, other networks not;
// resolv.conf and hosts in the task; the DNS hook; TaskDialer in both modes;
// detection falling back to host mode; the key scenario again as uid 65534.
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectNetworkMode, startTaskNetworking } from '../../server/agent/executor/netns/detect';
import { DEFAULT_TOOLS, type NetnsRouter } from '../../server/agent/executor/netns/router-client';
import { ProcessExecutor } from '../../server/agent/executor/process';
import { until } from '../until';
import { httpJsonOver, NET_A, netTask } from './netns-support';
import { runScenario } from './netns-scenario';

const CHILD = fileURLToPath(new URL('./netns-unprivileged-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let router: NetnsRouter;

beforeAll(async () => {
  // short: the router's Unix socket paths must fit in sun_path
  dir = await mkdtemp(join(tmpdir(), 'sdns-'));
  const net = await startTaskNetworking(join(dir, 'net'));
  expect(net.reason).toBeUndefined();
  expect(net.mode).toBe('netns');
  router = net.router!;
});

afterAll(async () => {
  await router?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('netns mode', () => {
  it('runs two replicas on :80 beside each other, each on its own address; same network reaches, other is isolated', async () => {
    const r = await runScenario(router, { workRoot: join(dir, 'work1') });
    expect(r.addresses).toEqual(['10.0.1.3', '10.0.1.4', '10.0.2.3']);
    expect(r.tasks).toEqual(r.ids);
    expect(r.sameNet.exitCode).toBe(0);
    expect(JSON.parse(r.sameNet.output)).toMatchObject({ task: r.ids[1], address: '10.0.1.4' });
    expect(r.crossNet.exitCode).toBe(1);
    expect(r.crossNet.output.trim()).toBe('timeout');
  });

  it('gives the task its resolv.conf (nameserver = its gateway, ndots:0) and a hosts file with its hostname; the host keeps its own', async () => {
    const ex = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: join(dir, 'work2') });
    const t = netTask({ image: 'busybox', args: ['sleep', '30'], hostname: 'web-1', nets: [[NET_A, '10.0.1.9/24']] });
    await ex.prepare(t);
    await ex.start(t);
    try {
      const files = await ex.exec(t, ['cat', '/etc/resolv.conf', '/etc/hosts'], { timeoutMs: 5_000 });
      expect(files.exitCode).toBe(0);
      expect(files.output).toContain('nameserver 10.0.1.1\noptions ndots:0\n');
      expect(files.output).toMatch(/^10\.0\.1\.9\tweb-1$/m);
      const addr = await ex.exec(t, ['ip', '-4', '-o', 'addr', 'show', 'eth0'], { timeoutMs: 5_000 });
      expect(addr.output).toContain('inet 10.0.1.9/24');
      const route = await ex.exec(t, ['ip', 'route', 'show', 'default'], { timeoutMs: 5_000 });
      expect(route.output).toContain('default via 10.0.1.1 dev eth0');
      const host = await new Promise<string>((res) =>
        execFile('cat', ['/etc/resolv.conf'], (_e, out) => res(String(out))),
      );
      expect(host).not.toContain('nameserver 10.0.1.1');
    } finally {
      await ex.remove(t);
    }
  });

  it('answers DNS queries to the gateway on port 53 through the hook, naming the asking task address', async () => {
    const askers: string[] = [];
    await router.serveDns((query, asker) => {
      askers.push(`${asker.protocol}:${asker.address}`);
      return Buffer.concat([Buffer.from('answer:'), query]);
    });
    const ex = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: join(dir, 'work3') });
    const t = netTask({ image: 'busybox', args: ['sleep', '30'], nets: [[NET_A, '10.0.1.10/24']] });
    await ex.prepare(t);
    await ex.start(t);
    try {
      const probe = [
        process.execPath,
        '-e',
        "const s=require('dgram').createSocket('udp4');s.on('message',(m)=>{console.log(m.toString());process.exit(0)});" +
          "s.send('hello',53,require('fs').readFileSync('/etc/resolv.conf','utf8').match(/nameserver (\\S+)/)[1]);setTimeout(()=>process.exit(1),3000)",
      ];
      const r = await ex.exec(t, probe, { timeoutMs: 10_000 });
      expect(r).toEqual({ exitCode: 0, output: 'answer:hello\n' });
      expect(askers).toEqual(['udp:10.0.1.10']);
    } finally {
      await ex.remove(t);
    }
  });

  it('TaskDialer: netns mode relays to the task address, host mode dials its host port; unknown tasks are refused', async () => {
    const netEx = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: join(dir, 'work4') });
    const hostEx = new ProcessExecutor({ node: { ID: 'node1' }, workRoot: join(dir, 'work5'), ports: 'ephemeral' });
    const inNs = netTask({ nets: [[NET_A, '10.0.1.20/24']] });
    const onHost = netTask(); // no attachments: host mode even beside a router
    const forced = netTask({ nets: [[NET_A, '10.0.1.21/24']], labels: { 'com.swarmdeck.network.mode': 'host' } });
    try {
      for (const [ex, t] of [
        [netEx, inNs],
        [hostEx, onHost],
        [netEx, forced],
      ] as const) {
        await ex.prepare(t);
        await ex.start(t);
        await until(`${t.ID} listening`, () => ex.logs(t.ID).some((l) => l.line.startsWith('http: listening')));
      }
      expect(netEx.network(inNs.ID)?.addresses).toEqual(['10.0.1.20']);
      expect(netEx.network(forced.ID)).toBeUndefined();
      expect(await httpJsonOver(await netEx.dialTcp(inNs.ID, 80))).toMatchObject({
        task: inNs.ID,
        address: '10.0.1.20',
      });
      expect(await httpJsonOver(await hostEx.dialTcp(onHost.ID, 80))).toMatchObject({
        task: onHost.ID,
        address: '127.0.0.1',
      });
      expect(await httpJsonOver(await netEx.dialTcp(forced.ID, 80))).toMatchObject({
        task: forced.ID,
        address: '127.0.0.1',
      });
      await expect(netEx.dialTcp('nosuchtask', 80)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(netEx.dialTcp(inNs.ID, 81)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      for (const t of [inNs, forced]) await netEx.remove(t);
      await hostEx.remove(onHost);
    }
  });

  it('falls back to host mode when namespaces cannot be made (a failing unshare), or when asked', async () => {
    const broken = { ...DEFAULT_TOOLS, unshare: join(dir, 'no-such-unshare') };
    const detected = await detectNetworkMode('auto', broken);
    expect(detected.mode).toBe('host');
    expect(detected.reason).toMatch(/rootless namespaces unavailable/);
    const started = await startTaskNetworking(join(dir, 'net-broken'), 'auto', broken);
    expect(started).toMatchObject({ mode: 'host' });
    expect(started.router).toBeUndefined();
    expect(await detectNetworkMode('host')).toEqual({ mode: 'host', reason: 'asked for host mode' });
    expect((await detectNetworkMode('auto')).mode).toBe('netns');
  });

  it.skipIf(process.getuid?.() !== 0)('runs the same scenario as uid 65534, in durable mode', async () => {
    const udir = await mkdtemp(join(tmpdir(), 'sdnu-'));
    await chown(udir, 65534, 65534);
    await chmod(udir, 0o700);
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', CHILD, udir],
          { cwd: REPO, env: { ...process.env, HOME: udir }, timeout: 60_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown> & { ids: string[] };
      expect(r).toMatchObject({ mode: 'netns', uid: 65534, addresses: ['10.0.1.3', '10.0.1.4', '10.0.2.3'] });
      expect(r.tasks).toEqual(r.ids);
      expect(r).toMatchObject({ sameNet: { exitCode: 0 }, crossNet: { exitCode: 1, output: 'timeout\n' } });
    } finally {
      await rm(udir, { recursive: true, force: true });
    }
  });
});

describe('the router', () => {
  it('exits by itself once no agent is connected and no task holds a veth', async () => {
    const rdir = await mkdtemp(join(tmpdir(), 'sdnr-'));
    try {
      const net = await startTaskNetworking(rdir);
      const pid = net.router!.pid;
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(alive()).toBe(true);
      net.router!.close();
      await until('the idle router to exit', () => !alive(), 10_000);
      // and it took its sockets and directory with it: runs leave nothing behind in tmp
      expect(existsSync(rdir)).toBe(false);
    } finally {
      await rm(rdir, { recursive: true, force: true });
    }
  });
});

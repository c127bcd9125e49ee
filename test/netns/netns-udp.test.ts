// UDP through the mesh's last hop (TaskDialer.dialUdp) with real namespaces:
// in netns mode the router holds a socket per flow toward the task's address,
// in host mode the agent sends to the task's host port. Datagrams stay whole
// both ways (the relay frames them), and a task without the port is refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTaskNetworking } from '../../server/agent/executor/netns/detect';
import type { NetnsRouter } from '../../server/agent/executor/netns/router-client';
import { ProcessExecutor } from '../../server/agent/executor/process';
import type { Task } from '../../server/api/types';
import { until } from '../until';
import { NET_A, netTask } from './netns-support';

/** Echoes each datagram as `<task ID>:<address it came in on>:<datagram>`, on every address. */
const ECHO = [
  "const s = require('dgram').createSocket('udp4');",
  "s.on('message', (m, r) => s.send(process.env.SWARMDECK_TASK_ID + ':' + m, r.port, r.address));",
  "s.bind(Number(process.env.SWARMDECK_PORT_9999_UDP), () => console.log('udp: listening'));",
].join('\n');

let dir: string;
let router: NetnsRouter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sdnu-'));
  const net = await startTaskNetworking(join(dir, 'net'));
  expect(net.mode).toBe('netns');
  router = net.router!;
});

afterAll(async () => {
  await router?.stop();
  await rm(dir, { recursive: true, force: true });
});

function echoTask(nets: NonNullable<Parameters<typeof netTask>[0]>['nets']): Task {
  const t = netTask({ image: 'busybox', args: [process.execPath, '-e', ECHO], nets });
  t.Endpoint = { Spec: { Ports: [{ Protocol: 'udp', TargetPort: 9999 }] } };
  return t;
}

/** Sends each datagram and collects as many replies. */
async function exchange(flow: Duplex, datagrams: string[]): Promise<string[]> {
  const got: string[] = [];
  flow.on('data', (d: Buffer) => got.push(d.toString()));
  for (const d of datagrams) flow.write(Buffer.from(d));
  await until('all replies', () => got.length >= datagrams.length, 5_000, 20);
  return got.sort();
}

it('carries whole datagrams both ways to a netns task (through the router) and a host-mode task; refuses a missing port', async () => {
  const netEx = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: join(dir, 'w1') });
  const hostEx = new ProcessExecutor({ node: { ID: 'node1' }, workRoot: join(dir, 'w2'), ports: 'ephemeral' });
  const inNs = echoTask([[NET_A, '10.0.1.30/24']]);
  const onHost = echoTask(undefined);
  try {
    for (const [ex, t] of [
      [netEx, inNs],
      [hostEx, onHost],
    ] as const) {
      await ex.prepare(t);
      await ex.start(t);
      await until(`${t.ID} listening`, () => ex.logs(t.ID).some((l) => l.line === 'udp: listening'));
    }
    // three datagrams back to back, one of them large: the relay must not merge or split them
    const big = 'x'.repeat(20_000);
    const nsFlow = await netEx.dialUdp(inNs.ID, 9999);
    expect(await exchange(nsFlow, ['a', 'bb', big])).toEqual(
      [`${inNs.ID}:a`, `${inNs.ID}:bb`, `${inNs.ID}:${big}`].sort(),
    );
    nsFlow.destroy();
    const hostFlow = await hostEx.dialUdp(onHost.ID, 9999);
    expect(await exchange(hostFlow, ['a', 'bb'])).toEqual([`${onHost.ID}:a`, `${onHost.ID}:bb`]);
    hostFlow.destroy();
    await expect(netEx.dialUdp('nosuchtask', 9999)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(hostEx.dialUdp(onHost.ID, 9998)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  } finally {
    await netEx.remove(inNs);
    await hostEx.remove(onHost);
  }
});

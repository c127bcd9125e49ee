// Which host port each task listens on: the target port itself when it is free
// on this host and not handed to another task, else a free ephemeral one. The
// port goes to the process as SWARMDECK_PORT_<target>_<PROTO> (and PORT).
// Every port is claimed host-wide first (port-claims.ts), so two executors on
// one host never hand out the same one.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { PortConfig, Task } from '../../api/types';
import type { PortClaims } from './port-claims';

export type PortPolicy = 'prefer-target' | 'ephemeral';

/** A port a task listens on: the target it was asked for and the host port it really got. */
export interface AssignedPort {
  Protocol: 'tcp' | 'udp' | 'sctp';
  TargetPort: number;
  /** The port the process listens on (= SWARMDECK_PORT_<target>_<PROTO>). */
  HostPort: number;
}

const key = (p: { Protocol: string; HostPort: number }) => `${p.Protocol}/${p.HostPort}`;

/**
 * Netns mode: the task has its own port space, so it listens on each target
 * port itself (HostPort = TargetPort, inside its namespace).
 */
export function targetPorts(task: Task): AssignedPort[] {
  const configs: PortConfig[] = task.Endpoint?.Spec?.Ports ?? task.Endpoint?.Ports ?? [];
  const out: AssignedPort[] = [];
  for (const c of configs) {
    const proto = c.Protocol ?? 'tcp';
    if (!c.TargetPort || out.some((p) => p.Protocol === proto && p.TargetPort === c.TargetPort)) continue;
    out.push({ Protocol: proto, TargetPort: c.TargetPort, HostPort: c.TargetPort });
  }
  return out;
}

/** The host ports this executor handed out, so two tasks never get the same one. */
export class PortAllocator {
  private readonly used = new Set<string>();
  /** Re-claims of adopted tasks' ports, finished before new ports are handed out. */
  private holding: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policy: PortPolicy = 'prefer-target',
    /** Host-wide claims; without them only this allocator's own tasks are kept apart. */
    private readonly claims?: PortClaims,
  ) {}

  /** One port per distinct target port/protocol of the task's endpoint. */
  async assign(task: Task): Promise<AssignedPort[]> {
    await this.holding;
    const configs: PortConfig[] = task.Endpoint?.Spec?.Ports ?? task.Endpoint?.Ports ?? [];
    const out: AssignedPort[] = [];
    const seen = new Set<string>();
    try {
      for (const c of configs) {
        if (!c.TargetPort) continue;
        const proto = c.Protocol ?? 'tcp';
        if (seen.has(`${proto}/${c.TargetPort}`)) continue; // two published ports on one target share the listener
        seen.add(`${proto}/${c.TargetPort}`);
        const port: AssignedPort = {
          Protocol: proto,
          TargetPort: c.TargetPort,
          HostPort: await this.pick(proto, c.TargetPort),
        };
        this.used.add(key(port));
        out.push(port);
      }
    } catch (err) {
      this.release(out);
      throw err;
    }
    return out;
  }

  /** Ports of a task adopted after a restart stay taken. */
  hold(ports: readonly AssignedPort[]): void {
    for (const p of ports) {
      this.used.add(key(p));
      // ours since before the restart: take the claim over from our dead predecessor
      if (this.claims && p.Protocol !== 'sctp')
        this.holding = Promise.all([this.holding, this.claims.claim(p.Protocol, p.HostPort, true).catch(() => false)]);
    }
  }

  release(ports: readonly AssignedPort[]): void {
    for (const p of ports) {
      this.used.delete(key(p));
      if (this.claims && p.Protocol !== 'sctp') void this.claims.release(p.Protocol, p.HostPort).catch(() => {});
    }
  }

  /** Claims the port host-wide (and for this allocator); false when it is taken. */
  private async take(proto: 'tcp' | 'udp', port: number): Promise<boolean> {
    if (this.used.has(`${proto}/${port}`)) return false;
    return this.claims ? this.claims.claim(proto, port) : true;
  }

  private async pick(proto: AssignedPort['Protocol'], target: number): Promise<number> {
    // SCTP cannot be probed from Node; the target is used as is.
    if (proto === 'sctp') return target;
    // claim first, then probe: a port another executor is handing out is never probed free
    if (this.policy === 'prefer-target' && (await this.take(proto, target))) {
      const got = await probePort(proto, target).catch(() => undefined);
      if (got === target) return target;
      await this.claims?.release(proto, target);
    }
    for (let i = 0; i < 20; i++) {
      const port = await probePort(proto, 0);
      if (await this.take(proto, port)) {
        // the kernel may have handed the port to someone else between the probe and the claim
        if ((await probePort(proto, port).catch(() => undefined)) === port) return port;
        await this.claims?.release(proto, port);
      }
    }
    throw new Error(`no free ${proto} port for target port ${target}`);
  }
}

/**
 * Binds the port (0 = any free one) and releases it, returning the port.
 * Another executor on this host cannot take it before the task binds (the
 * claim), but a program outside Swarmdeck can; the task then fails to listen
 * and is restarted by its policy.
 */
function probePort(proto: 'tcp' | 'udp', port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const sock = createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        reject(err);
      });
      sock.bind(port, () => {
        const got = sock.address().port;
        sock.close(() => resolve(got));
      });
      return;
    }
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : port;
      srv.close(() => resolve(got));
    });
  });
}

// The last hop in host mode: a task listens on a host port the process executor
// handed it (task-ports.ts), so the mesh dials 127.0.0.1:<host port>.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { udpDuplex } from '../executor/datagram-stream';
import type { AssignedPort } from '../executor/task-ports';
import type { TaskDialer } from '../executor/task-dial';

const refused = (message: string) => Object.assign(new Error(message), { code: 'ECONNREFUSED' });

/** A task's connect attempt that takes longer than this is treated as refused. */
const CONNECT_TIMEOUT_MS = 2_000;

export class HostTaskDialer implements TaskDialer {
  constructor(
    private readonly ports: (taskID: string) => AssignedPort[],
    private readonly host = '127.0.0.1',
  ) {}

  private hostPort(taskID: string, targetPort: number, proto: 'tcp' | 'udp'): number | undefined {
    return this.ports(taskID).find((p) => p.Protocol === proto && p.TargetPort === targetPort)?.HostPort;
  }

  dialTcp(taskID: string, targetPort: number): Promise<Duplex> {
    const port = this.hostPort(taskID, targetPort, 'tcp');
    if (port === undefined) return Promise.reject(refused(`task ${taskID} has no tcp port ${targetPort} on this node`));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port, allowHalfOpen: true });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(refused(`task ${taskID}: connecting to port ${port} timed out`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  dialUdp(taskID: string, targetPort: number): Promise<Duplex> {
    const port = this.hostPort(taskID, targetPort, 'udp');
    if (port === undefined) return Promise.reject(refused(`task ${taskID} has no udp port ${targetPort} on this node`));
    return Promise.resolve(udpDuplex({ host: this.host, port }));
  }
}

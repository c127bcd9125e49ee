// The mesh's last hop on a node running the process executor: TCP goes through
// the executor, which dials the host port in host mode and relays into the
// task's namespace in netns mode; UDP reaches host-mode tasks only (the netns
// router relays streams, not datagrams, yet).
import type { Duplex } from 'node:stream';
import type { ProcessExecutor } from '../executor/process';
import type { TaskDialer } from '../executor/task-dial';
import { HostTaskDialer } from './host-dialer';

export class ExecutorTaskDialer implements TaskDialer {
  private readonly host: HostTaskDialer;

  constructor(private readonly executor: ProcessExecutor) {
    this.host = new HostTaskDialer((id) => executor.ports(id));
  }

  dialTcp(taskID: string, targetPort: number): Promise<Duplex> {
    return this.executor.dialTcp(taskID, targetPort);
  }

  udpAddress(taskID: string, targetPort: number): { host: string; port: number } | undefined {
    return this.executor.network(taskID) ? undefined : this.host.udpAddress(taskID, targetPort);
  }
}

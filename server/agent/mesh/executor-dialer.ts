// The mesh's last hop on a node running the process executor: TCP streams and
// UDP flows go through the executor, which reaches the host port in host mode
// and relays through the netns router into the task's namespace in netns mode.
import type { Duplex } from 'node:stream';
import type { ProcessExecutor } from '../executor/process';
import type { TaskDialer } from '../executor/task-dial';

export class ExecutorTaskDialer implements TaskDialer {
  constructor(private readonly executor: ProcessExecutor) {}

  dialTcp(taskID: string, targetPort: number): Promise<Duplex> {
    return this.executor.dialTcp(taskID, targetPort);
  }

  dialUdp(taskID: string, targetPort: number): Promise<Duplex> {
    return this.executor.dialUdp(taskID, targetPort);
  }
}

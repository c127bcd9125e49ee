/**
 * Test child for process-durable.test.ts: an "agent" that starts one chatty
 * task in durable mode, prints its PID and then waits to be killed (-9).
 * Usage: node --import tsx process-crash-child.ts <stateDir> <taskID>
 */
import type { Task } from '../../api/types';
import { ProcessExecutor } from './process';

const [stateDir, taskID] = process.argv.slice(2);
const task: Task = {
  ID: taskID!,
  Version: { Index: 1 },
  CreatedAt: '',
  UpdatedAt: '',
  Labels: {},
  Spec: {
    ContainerSpec: {
      Image: 'busybox',
      Args: ['/bin/sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.01; done'],
    },
    ForceUpdate: 0,
  },
  ServiceID: 'svc',
  Slot: 1,
  NodeID: 'n1',
  Status: { Timestamp: '', State: 'assigned', Message: '' },
  DesiredState: 'running',
  ServiceAnnotations: { Name: 'svc', Labels: {} },
};

const ex = new ProcessExecutor({ node: { ID: 'n1' }, stateDir: stateDir!, ports: 'ephemeral' });
await ex.recover();
await ex.prepare(task);
const { PID } = await ex.start(task);
process.stdout.write(`${JSON.stringify({ pid: PID })}\n`);
setInterval(() => {}, 60_000);

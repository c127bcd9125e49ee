// The last hop of the routing mesh: how the agent that runs a task opens a
// connection to one of its ports. Host mode dials the host port the executor
// handed out (task-ports.ts); netns mode relays into the task's namespace.
import type { Duplex } from 'node:stream';

export interface TaskDialer {
  /**
   * A TCP stream to the task's target port. Rejects (code ECONNREFUSED) when the task does not
   * listen there yet, or is unknown to this executor, so the mesh can try another backend.
   */
  dialTcp(taskID: string, targetPort: number): Promise<Duplex>;
  /**
   * A UDP flow to the task's target port: a Duplex of whole datagrams (each write is one datagram,
   * each 'data' chunk one reply; datagram-stream.ts). Rejects (code ECONNREFUSED) when the task has
   * no such port here. Optional: a dialer without it carries no UDP.
   */
  dialUdp?(taskID: string, targetPort: number): Promise<Duplex>;
}

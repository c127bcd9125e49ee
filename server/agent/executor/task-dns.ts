// What the executor asks of the node's DNS (server/agent/dns/node-dns.ts): in
// host mode a listener scoped to the task, exported as SWARMDECK_DNS (netns
// tasks need none: their resolv.conf names the router's gateway), and in both
// modes that the DNS knows the task before it is spawned.

/** The variable a host-mode task reads its DNS server from, `127.0.0.1:<port>`. */
export const TASK_DNS_ENV = 'SWARMDECK_DNS';

export interface TaskDnsListeners {
  /** A listener answering for `taskID` only; `port` rebinds an adopted task's old port. Resolves to `ip:port`. */
  open(taskID: string, port?: number): Promise<string>;
  /**
   * Resolves once the DNS can answer for the task (a NetworkView holding it has
   * arrived; it may trail the assignment by a push), or after a bounded wait,
   * so that a task's first lookup is not sent upstream as a stranger's.
   */
  known(taskID: string): Promise<void>;
  /** The task is gone: its listener closes (nothing when it had none). */
  close(taskID: string): Promise<void>;
}

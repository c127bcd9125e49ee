// Host mode's DNS for a task: the executor asks for a listener scoped to the
// task before it spawns it and exports its address as SWARMDECK_DNS (netns
// tasks need none: their resolv.conf names the router's gateway). The node's
// DNS (server/agent/dns/node-dns.ts) implements it.

/** The variable a host-mode task reads its DNS server from, `127.0.0.1:<port>`. */
export const TASK_DNS_ENV = 'SWARMDECK_DNS';

export interface TaskDnsListeners {
  /** A listener answering for `taskID` only; `port` rebinds an adopted task's old port. Resolves to `ip:port`. */
  open(taskID: string, port?: number): Promise<string>;
  /** The task is gone: its listener closes (nothing when it had none). */
  close(taskID: string): Promise<void>;
}

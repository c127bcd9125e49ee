// The embedded DNS of one node (server/dns's DnsServer), wired to the node's
// parts: every pushed NetworkView goes in (ResolverSync), netns tasks reach it
// through the router's serveDns hook (gateway:53, asked by the task's address),
// host-mode tasks through a listener of their own on 127.0.0.1 (SWARMDECK_DNS).
// Both `swarmdeck agent` and a manager's own node build one with startNodeDns.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { NetworkView } from '../../api/network-view';
import { DnsServer, type DnsListener } from '../../dns/server';
import type { NetnsRouter } from '../executor/netns/router-client';
import type { TaskDnsListeners } from '../executor/task-dns';

/** Where unknown names go when nothing is configured. */
export const RESOLV_CONF = '/etc/resolv.conf';
/** Comma-separated upstreams (`ip` or `ip:port`) that replace the host's nameservers. */
export const DNS_UPSTREAMS_ENV = 'SWARMDECK_DNS_UPSTREAMS';

/** The `nameserver` lines of a resolv.conf, in order (IPv6 ones bracket-free, as parseUpstream takes them). */
export function resolvConfNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    // a zone suffix (fe80::1%eth0) cannot be dialled from here
    if (m && isIP(m[1]!) && !m[1]!.includes('%')) out.push(m[1]!);
  }
  return out;
}

/**
 * The upstreams: the configured list (flag or SWARMDECK_DNS_UPSTREAMS) when
 * given, else the host's nameservers. The DNS server runs on the host, so a
 * loopback nameserver (systemd-resolved's 127.0.0.53) works as it is.
 */
export function dnsUpstreams(
  configured: string | undefined,
  readResolvConf: () => string = defaultResolvConf,
): string[] {
  if (configured !== undefined && configured.trim() !== '')
    return configured
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  try {
    return resolvConfNameservers(readResolvConf());
  } catch {
    return [];
  }
}

const defaultResolvConf = () => readFileSync(RESOLV_CONF, 'utf8');

/** The longest a task's start waits for a view that holds it. */
export const KNOWN_WAIT_MS = 2_000;

export class NodeDns implements TaskDnsListeners {
  readonly server: DnsServer;
  private readonly perTask = new Map<string, Promise<DnsListener>>();
  /** The tasks of the last view, and the starts waiting for theirs. */
  private tasks = new Set<string>();
  private revision = -Infinity;
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(upstreams: readonly string[]) {
    this.server = new DnsServer({ upstreams });
  }

  /** Every view the agent accepts (newer revisions; only the changes are patched in). */
  readonly setView = (view: NetworkView): void => {
    if (view.Revision < this.revision) return;
    this.revision = view.Revision;
    this.server.update(view);
    this.tasks = new Set(view.Tasks.map((t) => t.ID));
    for (const [id, fns] of this.waiting)
      if (this.tasks.has(id)) {
        this.waiting.delete(id);
        for (const fn of fns) fn();
      }
  };

  known(taskID: string, waitMs = KNOWN_WAIT_MS): Promise<void> {
    if (this.tasks.has(taskID) || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const list = this.waiting.get(taskID) ?? [];
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        // given up: the task starts anyway, and leaves nothing behind here
        const left = (this.waiting.get(taskID) ?? []).filter((fn) => fn !== done);
        if (left.length) this.waiting.set(taskID, left);
        else this.waiting.delete(taskID);
        resolve();
      }, waitMs);
      list.push(done);
      this.waiting.set(taskID, list);
    });
  }

  /** Netns mode: queries to any gateway's port 53 are answered for the task with that source address. */
  async serveRouter(router: NetnsRouter): Promise<void> {
    await router.serveDns((query, asker) => this.server.handle(query, asker.protocol, asker.address));
  }

  /** Host mode: a listener on 127.0.0.1 answering as `taskID` (the task's networks, never ingress). */
  async open(taskID: string, port = 0): Promise<string> {
    if (this.closed) throw new Error('the node DNS is closed');
    let l = this.perTask.get(taskID);
    if (!l) {
      l = this.listenFor(taskID, port);
      this.perTask.set(taskID, l);
      l.catch(() => this.perTask.delete(taskID));
    }
    const { address, port: bound } = await l;
    return `${address}:${bound}`;
  }

  /**
   * UDP picks the free port and TCP must get the same one, which a client
   * connection on this busy host may hold: a few fresh picks before giving up.
   */
  private async listenFor(taskID: string, port: number): Promise<DnsListener> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.server.listen('127.0.0.1', port, { asker: taskID });
      } catch (err) {
        if (port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      }
    }
  }

  async close(taskID: string): Promise<void> {
    const l = this.perTask.get(taskID);
    this.perTask.delete(taskID);
    await l?.then((x) => x.close()).catch(() => undefined);
  }

  /** The node stops: every listener closes. */
  async stop(): Promise<void> {
    this.closed = true;
    const all = [...this.perTask.values()];
    this.perTask.clear();
    await Promise.all(all.map((l) => l.then((x) => x.close()).catch(() => undefined)));
    await this.server.close();
  }
}

/**
 * The node's DNS: upstreams from `configured` (else the host's resolv.conf),
 * served to netns tasks through `router` when there is one.
 */
export async function startNodeDns(o: { upstreams?: string; router?: NetnsRouter }): Promise<NodeDns> {
  const dns = new NodeDns(dnsUpstreams(o.upstreams ?? process.env[DNS_UPSTREAMS_ENV]));
  if (o.router) await dns.serveRouter(o.router);
  return dns;
}

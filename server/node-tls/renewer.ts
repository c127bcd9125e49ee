// Keeps a node's certificate current (swarmkit TLSRenewer): renews at a random
// 50–80 % of its validity, at once when the swarm wants another issuer (a
// root rotation) or another role (promote/demote), and takes a new trust root
// when the swarm has one. A renewal swaps the identity for new connections
// only: sessions already open keep running.

import { renewalDelayMs, renewalReason, createCSR } from '../ca';
import { systemClock, type Clock } from '../util/clock';
import type { NodeCredentials } from './node-credentials';

/** What the swarm says this node's certificate and trust should be (see manager/ca/status.ts). */
export interface CAWant {
  trustRoot: string;
  issuer: { subject: string; publicKey: string };
  role: 'manager' | 'worker';
}

export interface RenewerOptions {
  credentials: NodeCredentials;
  /** Has the CA sign `csr` for this node: a manager's own CA, or a request to a manager. */
  issue(csr: string): Promise<{ certificate: string; rootCA?: string }>;
  clock?: Clock;
  random?: () => number;
  log?: (m: string) => void;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export class CertificateRenewer {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: (m: string) => void;
  private cancelTimer?: () => void;
  private renewing?: Promise<void>;
  private again?: string;
  private retryMs = 0;
  private stopped = true;
  private want?: CAWant;
  /** Renewals done, for status and tests. */
  renewals = 0;

  constructor(private readonly o: RenewerOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.log = o.log ?? ((m) => console.log(m));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** The swarm's word on this node's certificate; acts on it when it differs from what the node holds. */
  observe(want: CAWant): void {
    this.want = want;
    if (this.stopped) return;
    const cert = this.o.credentials.certificate;
    if (!cert) return;
    const reason = renewalReason(cert, want);
    if (reason) {
      this.renew(reason);
      return;
    }
    if (want.trustRoot !== this.o.credentials.trustRoot) void this.takeTrustRoot(want.trustRoot);
  }

  /** Renew now (one renewal at a time; a request during one runs once more after it). */
  renew(reason: string): Promise<void> {
    if (this.renewing) {
      this.again = reason;
      return this.renewing;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.renewing = this.renewOnce(reason).finally(() => {
      this.renewing = undefined;
      const next = this.again;
      this.again = undefined;
      if (next && !this.stopped) void this.renew(next);
    });
    return this.renewing;
  }

  private async renewOnce(reason: string): Promise<void> {
    try {
      const { key, csr } = await createCSR();
      const answer = await this.o.issue(csr);
      const cert = await this.o.credentials.install({ chain: answer.certificate, key, trustRoot: answer.rootCA });
      this.renewals++;
      this.retryMs = 0;
      this.log(
        `tls: renewed this node's certificate (${reason}); valid until ${new Date(cert.notAfter).toISOString()}`,
      );
      if (this.want && answer.rootCA === undefined && this.want.trustRoot !== this.o.credentials.trustRoot)
        await this.takeTrustRoot(this.want.trustRoot);
      this.schedule(true);
    } catch (err) {
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs ? this.retryMs * 2 : RETRY_MIN_MS);
      this.log(
        `tls: renewing this node's certificate failed (${(err as Error).message}); retrying in ${this.retryMs} ms`,
      );
      if (!this.stopped) this.arm(this.retryMs, reason);
    }
  }

  private async takeTrustRoot(root: string): Promise<void> {
    try {
      if (await this.o.credentials.updateTrustRoot(root)) this.log("tls: now trusting the swarm's new root CA");
    } catch (err) {
      // our chain does not verify against it: a renewal brings one that does
      this.log(`tls: the swarm's new root CA does not verify this node's certificate (${(err as Error).message})`);
      void this.renew('the swarm has a new root CA');
    }
  }

  /**
   * Next renewal at a random point in 50–80 % of the held certificate's validity. With an hour's
   * lifetime and an hour's backdating that window opens at issue, so right after a renewal the next
   * waits at least 1 % of the validity: a node never renews in a tight loop.
   */
  private schedule(justRenewed = false): void {
    if (this.stopped) return;
    const cert = this.o.credentials.certificate;
    if (!cert) return;
    const delay = renewalDelayMs(cert, this.clock.now(), this.random());
    const floor = justRenewed ? (cert.notAfter - cert.notBefore) / 100 : 0;
    this.arm(Math.max(delay, floor), 'scheduled renewal');
  }

  private arm(ms: number, reason: string): void {
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      if (!this.stopped) void this.renew(reason);
    }, ms);
  }
}

// Leader-only loop (swarmkit rootRotationReconciler): while a root rotation
// runs, wait until every node reports a certificate from the new key, then
// make the new root the root, drop the old one and mint new join tokens for
// its digest. Nodes find out they must renew from the issuer they are told
// to have (see status.ts), so nothing here writes to the nodes.

import { finishRotation, joinTokenFor, rotationConverged } from '../../ca';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { PassRunner } from '../pass-runner';

const RETRY_MS = 1_000;

export class RootRotationReconciler {
  private unwatch?: () => void;
  private readonly runner: PassRunner;

  constructor(
    private readonly store: ClusterStore,
    clock: Clock,
    private readonly log: (m: string) => void = (m) => console.log(m),
  ) {
    this.runner = new PassRunner(() => this.pass(), 'root rotation', { clock, ms: RETRY_MS });
  }

  start(): void {
    this.runner.start();
    this.unwatch = this.store.view.watch((e) => {
      if (e.changes.some((c) => c.kind === 'cluster' || c.kind === 'node')) this.runner.kick();
    });
    this.runner.kick();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    await this.runner.stop();
  }

  private async pass(): Promise<void> {
    if (!this.store.isLeader()) return;
    const cluster = this.store.view.list('cluster')[0];
    const rootCA = cluster?.RootCA;
    if (!cluster || !rootCA?.RootRotation) return;
    if (!rotationConverged(rootCA, this.store.view.list('node'))) return;
    const finished = await this.store.update((tx) => {
      const cur = tx.get('cluster', cluster.ID);
      // another rotation started meanwhile (or this one was finished): not ours to finish
      if (!cur?.RootCA?.RootRotation || cur.RootCA.RootRotation.CACert !== rootCA.RootRotation!.CACert) return false;
      const next = finishRotation(cur.RootCA);
      tx.update('cluster', {
        ...cur,
        RootCA: next,
        RootRotationInProgress: false,
        JoinTokens: { Worker: joinTokenFor(next.CACert), Manager: joinTokenFor(next.CACert) },
      });
      return true;
    });
    if (finished) this.log('ca: completed root rotation: the new root CA is the trust root; join tokens changed');
  }
}

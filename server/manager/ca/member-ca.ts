// The CA's part of a manager: it founds the swarm's root at `swarm init`,
// signs its own certificate and renews it from its store's CA, serves other
// nodes' renewals over the cluster port, and (while leading) finishes root
// rotations. Every manager holds the root key in its store, as in swarmkit.

import { runAs } from '../../store/audit-context';
import { newID } from '../../api/ids';
import type { ClusterSpec, RootCA } from '../../api/types';
import { createCSR, createRootCA, joinTokenFor, MANAGER_ROLE, rootCAFrom, signCSR, signerOf } from '../../ca';
import { CertificateRenewer, isRenewRequest, type NodeCredentials } from '../../node-tls';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { UNHANDLED, type RequestRouter } from '../dispatcher/remote/request-router';
import { nodeCertExpiryMs } from './expiry';
import type { PeerIdentity } from '../../raft/transport';
import type { RaftId } from '../../raft/types';
import { decideJoin } from '../membership/join';
import { parseRenewal, recordIssued, renewCertificate, type IssuedCertificate } from './issuer';
import { RootRotationReconciler } from './root-rotation';
import { caStatus } from './status';

/**
 * `swarm init`: a new cluster ID and root CA, and this manager's certificate from it (installed, so
 * the transport presents it). The root goes into the cluster object `initCluster` writes.
 */
export async function foundSwarm(
  tls: NodeCredentials,
  nodeID: string,
  certExpiryNs?: number,
): Promise<{ clusterID: string; rootCA: RootCA }> {
  const clusterID = newID();
  const rootCA = rootCAFrom(await createRootCA());
  const expiryMs = nodeCertExpiryMs({ CAConfig: { NodeCertExpiry: certExpiryNs } } as ClusterSpec);
  const { key, csr } = await createCSR();
  const chain = await signCSR(signerOf(rootCA), csr, { nodeID, role: MANAGER_ROLE, clusterID }, expiryMs);
  await tls.install({ chain, key, trustRoot: rootCA.CACert });
  return { clusterID, rootCA };
}

export interface MemberCAOptions {
  store: ClusterStore;
  selfID: string;
  tls: NodeCredentials;
  router: RequestRouter;
  clock: Clock;
  /** This manager was taken out of the raft group: its store no longer follows the swarm. */
  removedFromRaft(): boolean;
  /** The known leader ('' if none), and a request to it: other nodes' renewals are signed there. */
  leader(): RaftId;
  request(to: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
  log?: (m: string) => void;
}

export class MemberCA {
  readonly renewer: CertificateRenewer;
  private readonly reconciler: RootRotationReconciler;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly o: MemberCAOptions) {
    const log = o.log ?? ((m: string) => console.log(m));
    // a manager's own certificate comes from its own store's CA, like swarmkit's local CA socket
    this.renewer = new CertificateRenewer({
      credentials: o.tls,
      issue: (csr) => renewCertificate(o.store.view, o.selfID, csr),
      clock: o.clock,
      log,
    });
    this.reconciler = new RootRotationReconciler(o.store, o.clock, log);
  }

  /**
   * Serve renewals, and keep this manager's certificate current. A store without a root CA (data from
   * before the swarm had one) gets one from the leader first; a manager without a certificate for its
   * store's swarm signs one.
   */
  async start(isLeader: () => boolean): Promise<void> {
    const { store, selfID, tls } = this.o;
    this.cleanups.push(
      this.o.router.add(
        (payload, from) => (isRenewRequest(payload) ? this.renewFor(payload, from, isLeader) : UNHANDLED),
        {
          from: ['member', 'node'],
        },
      ),
    );
    let cluster = store.view.list('cluster')[0];
    if (cluster && !cluster.RootCA) {
      if (!isLeader())
        throw new Error(
          "this swarm's data is from before it had a root CA, and this manager cannot create one (it does not lead)",
        );
      const rootCA = rootCAFrom(await createRootCA());
      await runAs({ actor: { kind: 'system', name: 'ca' }, action: 'create the root CA' }, () =>
        store.update((tx) => {
          const cur = tx.get('cluster', cluster!.ID);
          if (!cur || cur.RootCA) return;
          const tokens = { Worker: joinTokenFor(rootCA.CACert), Manager: joinTokenFor(rootCA.CACert) };
          tx.update('cluster', { ...cur, RootCA: rootCA, JoinTokens: tokens });
        }),
      );
      cluster = store.view.list('cluster')[0];
      console.log('ca: this swarm had no root CA: created one (the join tokens changed)');
    }
    if (cluster?.RootCA && tls.certificate?.clusterID !== cluster.ID) {
      await this.renewer.renew('this manager had no certificate for its swarm');
      if (!tls.certificate) throw new Error('this manager could not sign its own certificate');
    }
    const observe = () => {
      if (this.o.removedFromRaft()) return;
      const want = caStatus(store.view.list('cluster')[0], store.view.get('node', selfID));
      if (want) this.renewer.observe(want);
    };
    this.cleanups.push(
      store.view.watch((e) => {
        if (e.changes.some((c) => c.kind === 'cluster' || (c.kind === 'node' && c.object.ID === selfID))) observe();
      }),
    );
    this.renewer.start();
    observe();
  }

  /**
   * Another node's renewal: signed by the leader, which records the certificate's expiry on the node
   * before it goes out (what `node rm` blacklists it until), as swarmkit's leader-only CA server does.
   * Any other manager passes it on, naming the node.
   */
  private renewFor(payload: unknown, from: PeerIdentity, isLeader: () => boolean): Promise<IssuedCertificate> {
    const { store } = this.o;
    const req = parseRenewal(payload);
    // a member passing a renewal on names the node; a member asking for itself need not
    const named = req.nodeID ?? from.raftId;
    return decideJoin(
      { isLeader, leader: () => this.o.leader(), request: (to, p, ms) => this.o.request(to, p, ms) },
      from,
      named,
      (nodeID) => ({ ca: 'renew', csr: req.csr, nodeID }),
      async (nodeID) => {
        const issued = await renewCertificate(store.view, nodeID, req.csr);
        await recordIssued(store, nodeID, issued);
        return issued;
      },
    );
  }

  lead(): void {
    this.reconciler.start();
  }

  async stopLeading(): Promise<void> {
    await this.reconciler.stop();
  }

  async stop(): Promise<void> {
    this.renewer.stop();
    for (const c of this.cleanups.splice(0).reverse()) c();
    await this.reconciler.stop();
  }
}

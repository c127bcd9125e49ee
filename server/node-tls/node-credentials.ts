// This process's TLS identity: the root it trusts, its certificate chain and
// key, kept in the data dir and handed to the cluster transport at every dial
// and accept. Renewals and a new trust root replace it in one step; existing
// connections keep the identity they were opened with.

import type { TLSInfo } from '../api/types';
import { checkNodeChain, nodeTLSInfo, type NodeCertificate } from '../ca';
import type { TlsMaterial } from '../raft/transport';
import { readCertFiles, writeCertFiles, type CertFiles } from './cert-files';

interface Identity extends CertFiles {
  cert: NodeCertificate;
}

export class NodeCredentials {
  private identity: Identity | undefined;
  /** While joining: the root the token pinned, and the token shown (only) to managers it verifies. */
  private joining: { trustRoot: string; token: string } | undefined;
  private readonly listeners = new Set<() => void>();

  /** `dataDir` undefined: nothing is written (tests). */
  constructor(private readonly dataDir: string | undefined) {}

  /** The identity kept in `dataDir`, if a valid one is there (expired certificates load too: they get renewed). */
  static async load(dataDir: string, log: (m: string) => void = console.error): Promise<NodeCredentials> {
    const creds = new NodeCredentials(dataDir);
    const files = readCertFiles(dataDir);
    if (files) {
      try {
        const cert = await checkNodeChain(files.chain, files.trustRoot, files.key);
        creds.identity = { ...files, cert };
      } catch (err) {
        log(`swarmdeck: ignoring the TLS identity in ${dataDir}: ${(err as Error).message}`);
      }
    }
    return creds;
  }

  /** The node certificate held now (who this process is to the swarm). */
  get certificate(): NodeCertificate | undefined {
    return this.identity?.cert;
  }

  get trustRoot(): string | undefined {
    return this.identity?.trustRoot ?? this.joining?.trustRoot;
  }

  /** Checks and takes a new chain and key (a join or a renewal); the trust root stays unless given. */
  async install(next: { chain: string; key: string; trustRoot?: string }): Promise<NodeCertificate> {
    const trustRoot = next.trustRoot ?? this.identity?.trustRoot ?? this.joining?.trustRoot;
    if (!trustRoot) throw new Error('no trust root to check the certificate against');
    const cert = await checkNodeChain(next.chain, trustRoot, next.key);
    const files = { trustRoot, chain: next.chain, key: next.key };
    if (this.dataDir) writeCertFiles(this.dataDir, files);
    this.identity = { ...files, cert };
    this.joining = undefined;
    this.changed();
    return cert;
  }

  /** A new trust root from the swarm (a finished rotation): taken only if this node's chain verifies against it. */
  async updateTrustRoot(trustRoot: string): Promise<boolean> {
    const id = this.identity;
    if (!id || id.trustRoot === trustRoot) return false;
    const cert = await checkNodeChain(id.chain, trustRoot, id.key);
    const files = { trustRoot, chain: id.chain, key: id.key };
    if (this.dataDir) writeCertFiles(this.dataDir, files);
    this.identity = { ...files, cert };
    this.changed();
    return true;
  }

  /** Joining: trust only `trustRoot` (pinned by the token's digest) and show `token` to it. */
  beginJoin(trustRoot: string, token: string): void {
    this.joining = { trustRoot, token };
    this.changed();
  }

  endJoin(): void {
    if (!this.joining) return;
    this.joining = undefined;
    this.changed();
  }

  joinToken(): string | undefined {
    return this.identity ? undefined : this.joining?.token;
  }

  material(): TlsMaterial | undefined {
    const id = this.identity;
    if (id) return { ca: id.trustRoot, cert: id.chain, key: id.key };
    return this.joining ? { ca: this.joining.trustRoot } : undefined;
  }

  /** What this node reports as `Description.TLSInfo`. */
  tlsInfo(): TLSInfo | undefined {
    const id = this.identity;
    return id ? nodeTLSInfo(id.cert, id.trustRoot) : undefined;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (err) {
        console.error('swarmdeck: a TLS identity listener failed:', (err as Error).message);
      }
    }
  }
}

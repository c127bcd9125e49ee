// The swarm's CA through the unmodified docker CLI: `docker swarm ca` prints
// the root every node trusts, `docker node ls` shows each node's TLS status,
// and `docker swarm ca --rotate` rotates to a new, cross-signed root on two
// manager processes, their simulated workers and an agent process, after
// which the old join tokens are worthless.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agents/agent-harness';
import { newManager, type ManagerProc } from '../cluster-harness';
import { until } from '../until';
import { dockerBinary, dockerCli, tempDir, type DockerResult } from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('docker swarm ca', () => {
  const data = tempDir('swarmdeck-ca-');
  const config = tempDir('swarmdeck-ca-config-');
  let m1: ManagerProc;
  let m2: ManagerProc;
  let agent: RunningAgent | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n` +
          `m1:\n${m1.out.slice(-2000)}\nagent:\n${agent?.output().slice(-1500)}`,
      );
    return r;
  };
  /** Node ID → TLS STATUS, as `docker node ls` shows it. */
  const tlsStatus = async () => {
    const r = await ok(['node', 'ls', '--format', '{{.ID}}|{{.TLSStatus}}']);
    return Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|') as [string, string]),
    );
  };
  const swarm = async () =>
    (await m1.api('GET', '/swarm')).json as {
      JoinTokens: { Worker: string; Manager: string };
      TLSInfo: { TrustRoot: string };
      RootRotationInProgress: boolean;
      Spec: { CAConfig: { NodeCertExpiry?: number } };
    };

  beforeAll(async () => {
    m1 = await newManager('m1', `${data.path}/m1`, ['--dispatcher-heartbeat', '1s', '--sim-workers', '2']);
    await m1.start();
    docker = dockerCli(Number(m1.engine.split(':').pop()), config.path, bin);
    const { JoinTokens } = await swarm();
    m2 = await newManager('m2', `${data.path}/m2`);
    await m2.start(['--join', m1.clusterAddr, '--token', JoinTokens.Manager]);
    agent = await startAgent({
      join: m1.clusterAddr,
      token: JoinTokens.Worker,
      dataDir: `${data.path}/agent`,
      hostname: 'edge-1',
      executor: 'sim',
    });
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([m1?.kill9(), m2?.kill9()]);
    data.remove();
    config.remove();
  }, 30_000);

  it('prints the root CA every node trusts, and every node is Ready', async () => {
    const printed = (await ok(['swarm', 'ca'])).stdout.trim();
    expect(printed).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    expect(new X509Certificate(printed).subject).toBe('CN=swarm-ca');
    for (const dir of ['m1', 'm2', 'agent'])
      expect(readFileSync(`${data.path}/${dir}/certificates/swarm-root-ca.crt`, 'utf8').trim()).toBe(printed);
    const status = await until('every node to report its certificate', async () => {
      const s = await tlsStatus();
      return Object.keys(s).length === 5 && Object.values(s).every((v) => v === 'Ready') ? s : undefined;
    });
    expect(Object.keys(status)).toContain(agent!.nodeID());
    // the flags that need --rotate say so, in docker's words
    const r = await docker(['swarm', 'ca', '--cert-expiry', '48h']);
    expect(r.stderr).toContain('`--cert-expiry` flag requires the `--rotate` flag to update the CA');
  }, 60_000);

  it('refuses a node certificate lifetime under an hour', async () => {
    const r = await docker(['swarm', 'update', '--cert-expiry', '30m']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('minimum certificate expiry time is: 1h0m0s');
  });

  it('swarm init --cert-expiry: the new swarm signs its first certificate for that long', async () => {
    const fresh = await newManager('fresh', `${data.path}/fresh-init`, ['--no-init']);
    await fresh.start([], 60_000, /swarmdeck waiting: not in a swarm/);
    try {
      const cli = dockerCli(Number(fresh.engine.split(':').pop()), config.path, bin);
      const short = await cli(['swarm', 'init', '--cert-expiry', '30m']);
      expect(short.stderr).toContain('minimum certificate expiry time is: 1h0m0s');
      const r = await cli(['swarm', 'init', '--cert-expiry', '48h']);
      expect(r.code, r.stderr).toBe(0);
      const s = (await fresh.api('GET', '/swarm')).json as { Spec: { CAConfig: { NodeCertExpiry: number } } };
      expect(s.Spec.CAConfig.NodeCertExpiry).toBe(48 * 3600e9);
      const cert = new X509Certificate(readFileSync(`${data.path}/fresh-init/certificates/swarm-node.crt`));
      // 48 hours from now, backdated an hour
      expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(49 * 3_600_000);
      expect(cert.subject).toContain('OU=swarm-manager');
    } finally {
      await fresh.kill9();
    }
  }, 90_000);

  it('--rotate: a cross-signed rotation, Needs Rotation while a node lags, then a new root and new tokens', async () => {
    const before = await swarm();
    // an agent that cannot renew yet: the rotation must wait for it
    agent!.kill('SIGSTOP');
    let rotating: Promise<DockerResult> | undefined;
    try {
      rotating = ok(['swarm', 'ca', '--rotate', '--cert-expiry', '48h'], 120_000);
      await until('the rotation under way', async () => (await swarm()).RootRotationInProgress || undefined, 10_000);
      const during = await swarm();
      expect(during.TLSInfo.TrustRoot).toBe(before.TLSInfo.TrustRoot);
      expect(during.JoinTokens).toEqual(before.JoinTokens);
      // the managers (and their simulated workers) renew from the new key meanwhile; the agent lags
      const lagging = await until('the managers renewed', async () => {
        const s = await tlsStatus();
        return s[m1.nodeID] === 'Ready' && s[m2.nodeID] === 'Ready' ? s : undefined;
      });
      expect(lagging[agent!.nodeID()]).toBe('Needs Rotation');
      expect((await swarm()).RootRotationInProgress).toBe(true);
    } finally {
      agent!.kill('SIGCONT');
    }
    // docker waits for every node to converge, then prints the new root
    const rotated = await rotating!;
    const after = await swarm();
    expect(after.RootRotationInProgress).toBe(false);
    expect(after.TLSInfo.TrustRoot).not.toBe(before.TLSInfo.TrustRoot);
    expect(rotated.stdout.trim().endsWith(after.TLSInfo.TrustRoot.trim())).toBe(true);
    expect(after.Spec.CAConfig.NodeCertExpiry).toBe(48 * 3600e9);
    expect(after.JoinTokens.Worker).not.toBe(before.JoinTokens.Worker);
    expect(after.JoinTokens.Manager).not.toBe(before.JoinTokens.Manager);
    expect(after.JoinTokens.Worker.split('-')[2]).not.toBe(before.JoinTokens.Worker.split('-')[2]);
    const printed = (await ok(['swarm', 'ca'])).stdout.trim();
    expect(printed).toBe(after.TLSInfo.TrustRoot.trim());
    await until(
      'every node Ready on the new root',
      async () => {
        const s = await tlsStatus();
        return Object.values(s).length === 5 && Object.values(s).every((v) => v === 'Ready') ? s : undefined;
      },
      30_000,
    );
    // the agent holds a certificate the new root verifies, and trusts only the new root
    await until('the agent trusting the new root', () =>
      readFileSync(`${data.path}/agent/certificates/swarm-root-ca.crt`, 'utf8').trim() === printed ? true : undefined,
    );
    const agentCert = new X509Certificate(readFileSync(`${data.path}/agent/certificates/swarm-node.crt`));
    expect(agentCert.checkIssued(new X509Certificate(printed))).toBe(true);
    expect(agentCert.checkIssued(new X509Certificate(before.TLSInfo.TrustRoot))).toBe(false);

    // the old worker token pins the old root: a joiner aborts before sending it
    const late = await startAgent({
      join: m2.clusterAddr,
      token: before.JoinTokens.Worker,
      dataDir: `${data.path}/late`,
      hostname: 'late',
      executor: 'sim',
      readyTimeoutMs: 15_000,
    }).catch((e: Error) => e);
    expect(late).toBeInstanceOf(Error);
    expect((late as Error).message).toContain('remote CA does not match fingerprint');
    // the new one works, through either manager
    const fresh = await startAgent({
      join: m2.clusterAddr,
      token: after.JoinTokens.Worker,
      dataDir: `${data.path}/fresh`,
      hostname: 'fresh',
      executor: 'sim',
    });
    await fresh.stop();
  }, 180_000);
});

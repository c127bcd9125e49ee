// The issue's opening scenario on three manager processes: `docker service
// create --replicas 1000000000 nginx` once aborted every manager in turn. It
// must now be a 400 with the limit and how to raise it, sent to the leader or
// to a follower, and leave the cluster as healthy as it was.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerCli, tempDir } from './integration/harness';
import { readyLeader, startThreeManagers, until, type ManagerProc } from './cluster-harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the replica limit test (.ci/run installs it)');

const LIMIT_TEXT =
  "Error response from daemon: rpc error: code = InvalidArgument desc = Mode.Replicated.Replicas: 1000000000 replicas is more than this swarm's limit of 10000 per service; raise the limit (up to 100000) in the console's Swarm settings, or set the cluster label swarmdeck.max-replicas=<N> with POST /swarm/update";

describe('the replica limit on three managers', () => {
  const data = tempDir('swarmdeck-limit-');
  const config = tempDir('swarmdeck-limit-config-');
  const ms: ManagerProc[] = [];

  const leader = () => readyLeader(ms);

  beforeAll(async () => {
    await startThreeManagers(ms, data.path, { m1Args: ['--sim-workers', '2'], joinerArgs: ['--sim-workers', '0'] });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(ms.map((m) => m.stop()));
    data.remove();
    config.remove();
  }, 60_000);

  it('refuses the huge service with a 400 on the leader and on a follower; every manager stays up and in term', async () => {
    const before = (await leader())!;
    const follower = ms.find((m) => m !== before.m)!;
    for (const m of [before.m, follower]) {
      const docker = dockerCli(m.ports.engine, config.path, bin);
      const r = await docker(['service', 'create', '--detach', '--replicas', '1000000000', 'nginx']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(LIMIT_TEXT);
      const api = await m.api('POST', '/services/create', {
        Name: 'huge',
        TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
        Mode: { Replicated: { Replicas: 1e9 } },
      });
      expect(api.status).toBe(400);
    }
    // nothing was written, nobody crashed, the leader kept its term
    for (const m of ms) {
      expect(m.running, m.out.slice(-2000)).toBe(true);
      expect(((await m.api('GET', '/services')).json as unknown[]).length).toBe(0);
    }
    const after = (await leader())!;
    expect([after.m.name, after.h.term]).toEqual([before.m.name, before.h.term]);

    // and the cluster still does ordinary work, through a follower too
    const docker = dockerCli(follower.ports.engine, config.path, bin);
    const ok = await docker(['service', 'create', '--detach', '--name', 'web', '--replicas', '3', 'nginx']);
    expect(ok.code, ok.stderr).toBe(0);
    await until(
      'three running tasks',
      async () => {
        const r = await docker(['service', 'ls', '--format', '{{.Replicas}}']);
        return r.stdout.trim() === '3/3' ? true : undefined;
      },
      60_000,
      250,
    );
  }, 120_000);
});

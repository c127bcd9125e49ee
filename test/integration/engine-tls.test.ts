// The Engine API over TLS as dockerd serves it: certificates issued from the
// swarm CA by `swarmdeck cert` (through the manager's admin socket), then the
// manager restarted with --tlsverify, and the real docker CLI with
// `--tlsverify -H tcp://127.0.0.1:PORT`: a client certificate from the swarm
// CA works; none, or one from another CA, is refused in the handshake.

import { spawn } from 'node:child_process';
import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCertificate } from '../../server/ca/client-certificate';
import { createRootCA } from '../../server/ca/root-ca';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  REPO_ROOT,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

/** `swarmdeck cert …` as a user runs it. */
function swarmdeckCert(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'cert', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Engine API TLS (--tlsverify)', () => {
  const dir = tempDir('swarmdeck-tls-');
  const config = tempDir('swarmdeck-tls-config-');
  const data = join(dir.path, 'data');
  const certs = (name: string) => join(dir.path, name);
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  /** docker with the client files in `certDir` (cert.pem and key.pem when there). */
  const tlsDocker = (certDir: string, args: string[]): Promise<DockerResult> => {
    const files = ['--tlscacert', join(certs('alice'), 'ca.pem')];
    const withCert = (() => {
      try {
        statSync(join(certDir, 'cert.pem'));
        return ['--tlscert', join(certDir, 'cert.pem'), '--tlskey', join(certDir, 'key.pem')];
      } catch {
        return [];
      }
    })();
    return docker(['--tlsverify', ...files, ...withCert, ...args]);
  };

  beforeAll(async () => {
    ports = await freePorts();
    server = await startServer({ dataDir: data, ports, simWorkers: 0 });
    const engine = await swarmdeckCert(['engine', '--host', '127.0.0.1', '--out', certs('engine'), '--data-dir', data]);
    expect(engine, engine.out).toMatchObject({ code: 0 });
    const issue = (name: string, role: string) =>
      swarmdeckCert(['issue', '--name', name, '--role', role, '--out', certs(name), '--data-dir', data]);
    const [alice, victor, olga] = await Promise.all([
      issue('alice', 'admin'),
      issue('victor', 'viewer'),
      issue('olga', 'operator'),
    ]);
    for (const r of [alice, victor, olga]) expect(r, r.out).toMatchObject({ code: 0 });
    expect(alice.out).toContain(`DOCKER_CERT_PATH=${certs('alice')}`);
    // a certificate from a CA that is not this swarm's
    const other = await createRootCA();
    const foreign = await issueClientCertificate(
      { cert: other.cert, key: other.key, intermediates: '' },
      { name: 'mallory', role: 'admin', clusterID: 'x' },
    );
    mkdirSync(certs('foreign'));
    writeFileSync(join(certs('foreign'), 'cert.pem'), foreign.cert);
    writeFileSync(join(certs('foreign'), 'key.pem'), foreign.key);
    mkdirSync(certs('none'));

    await server.stop();
    server = await startServer({
      dataDir: data,
      ports,
      simWorkers: 0,
      extraArgs: [
        '--tlsverify',
        '--tlscacert',
        join(certs('engine'), 'ca.pem'),
        '--tlscert',
        join(certs('engine'), 'server-cert.pem'),
        '--tlskey',
        join(certs('engine'), 'server-key.pem'),
      ],
    });
    docker = dockerCli(ports.engine, config.path, bin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
    config.remove();
  });

  it('writes the key private to its user', () => {
    expect(statSync(join(certs('alice'), 'key.pem')).mode & 0o077).toBe(0);
  });

  it('serves the docker CLI holding a certificate from the swarm CA', async () => {
    const ls = await tlsDocker(certs('alice'), ['node', 'ls', '--format', '{{.Self}}']);
    expect(ls, ls.stderr).toMatchObject({ code: 0, stdout: 'true\n' });
    const create = await tlsDocker(certs('alice'), ['service', 'create', '--detach', '--name', 'web', 'nginx']);
    expect(create, create.stderr).toMatchObject({ code: 0 });
  });

  it('a viewer reads but changes nothing, and sees no join token', async () => {
    const ls = await tlsDocker(certs('victor'), ['service', 'ls', '--format', '{{.Name}}']);
    expect(ls, ls.stderr).toMatchObject({ code: 0, stdout: 'web\n' });
    const create = await tlsDocker(certs('victor'), ['service', 'create', '--detach', '--name', 'x', 'nginx']);
    expect(create).toMatchObject({ code: 1, stdout: '' });
    expect(create.stderr).toContain(
      'permission denied: role viewer may not POST /services/create (it needs the admin role)',
    );
    const scale = await tlsDocker(certs('victor'), ['service', 'scale', '--detach', 'web=2']);
    expect(scale.code).toBe(1);
    expect(scale.stderr).toContain('role viewer may not POST /services/');
    const token = await tlsDocker(certs('victor'), ['swarm', 'join-token', '-q', 'worker']);
    expect(token.stdout).not.toMatch(/SWMTKN/);
    const adminToken = await tlsDocker(certs('alice'), ['swarm', 'join-token', '-q', 'worker']);
    expect(adminToken.stdout).toMatch(/^SWMTKN-1-/);
  });

  it('an operator scales and drains, but creates nothing and changes no node labels', async () => {
    const scale = await tlsDocker(certs('olga'), ['service', 'scale', '--detach', 'web=2']);
    expect(scale, scale.stderr).toMatchObject({ code: 0 });
    const self = (await tlsDocker(certs('olga'), ['node', 'ls', '-q'])).stdout.trim();
    expect(self).toMatch(/^\w+$/);
    const drain = await tlsDocker(certs('olga'), ['node', 'update', '--availability', 'drain', self]);
    expect(drain, drain.stderr).toMatchObject({ code: 0 });
    const availability = await tlsDocker(certs('olga'), ['node', 'inspect', '-f', '{{.Spec.Availability}}', self]);
    expect(availability.stdout).toBe('drain\n');
    const label = await tlsDocker(certs('olga'), ['node', 'update', '--label-add', 'a=b', self]);
    expect(label.code).toBe(1);
    expect(label.stderr).toContain("role operator may change only a node's availability");
    const create = await tlsDocker(certs('olga'), ['service', 'create', '--detach', '--name', 'y', 'nginx']);
    expect(create.code).toBe(1);
    expect(create.stderr).toContain('role operator may not POST /services/create');
  });

  it('refuses a client without a certificate, with one from another CA, and plain HTTP', async () => {
    const none = await tlsDocker(certs('none'), ['node', 'ls']);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toContain('remote error: tls: certificate required');
    // TLS 1.3: the client finishes its side before the server checks its certificate, so it reads the refusal as EOF or a reset
    const foreign = await tlsDocker(certs('foreign'), ['node', 'ls']);
    expect(foreign).toMatchObject({ code: 1, stdout: '' });
    expect(foreign.stderr).toMatch(/: EOF$|connection reset by peer|tls: (bad|unknown) certificate/m);
    const plain = await docker(['node', 'ls']);
    expect(plain).toMatchObject({ code: 1, stdout: '' });
    expect(plain.stderr).toMatch(/^error during connect: .*http:\/\/127\.0\.0\.1/);
  });

  it("refuses a swarm node's own certificate: it is not a client certificate", async () => {
    const nodeCerts = join(data, 'certificates');
    const r = await docker([
      '--tlsverify',
      '--tlscacert',
      join(certs('alice'), 'ca.pem'),
      '--tlscert',
      join(nodeCerts, 'swarm-node.crt'),
      '--tlskey',
      join(nodeCerts, 'swarm-node.key'),
      'node',
      'ls',
    ]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('a swarm node certificate is not an Engine API client certificate');
  });

  it('refuses to issue for a bad role, naming it', async () => {
    const r = await swarmdeckCert([
      'issue',
      '--name',
      'bob',
      '--role',
      'root',
      '--out',
      certs('bob'),
      '--data-dir',
      data,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('role: one of viewer, operator, admin');
  });
});

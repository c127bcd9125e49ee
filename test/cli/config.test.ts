// `docker config` conformance: every command and common flag of the family
// with the real docker CLI (28.2.2) against one real manager process; output
// (tables, --format, --pretty with the data), exit codes and error texts as
// Docker gives them, and the service --config flags.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from '../integration/harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

const ID = /^[0-9a-z]{25}$/;
const FROM_DAEMON = 'Error response from daemon: ';
const NGINX_CONF = 'server { listen 80; }\n';

describe('docker config', () => {
  const data = tempDir('swarmdeck-cli-config-data-');
  const config = tempDir('swarmdeck-cli-config-config-');
  const files = tempDir('swarmdeck-cli-config-files-');
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], input?: string | Buffer): Promise<string> => {
    const r = await docker(args, 30_000, input);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r.stdout;
  };
  /** Exit code and stderr exactly (trailing newline aside). */
  const fails = async (args: string[], stderr: string, input?: string, code = 1): Promise<DockerResult> => {
    const r = await docker(args, 30_000, input);
    expect({ args, code: r.code, stderr: r.stderr.replace(/\n$/, '') }).toEqual({ args, code, stderr });
    return r;
  };
  const file = (name: string, content: string | Buffer): string => {
    const path = join(files.path, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 1 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
    files.remove();
  }, 30_000);

  let nginxID = '';
  let appID = '';

  it('create from a file and from stdin (-) prints the ID; inspect returns the data, labels and templating', async () => {
    nginxID = (await ok(['config', 'create', '--label', 'tier=web', 'nginx.conf', file('nginx', NGINX_CONF)])).trim();
    expect(nginxID).toMatch(ID);
    appID = (
      await ok(
        ['config', 'create', '-l', 'env', '--template-driver', 'golang', 'app.yml', '-'],
        'name: {{.Service.Name}}\n',
      )
    ).trim();
    const got = JSON.parse(await ok(['config', 'inspect', 'nginx.conf', appID])) as { ID: string; Spec: object }[];
    expect(got.map((c) => [c.ID, c.Spec])).toEqual([
      [nginxID, { Name: 'nginx.conf', Labels: { tier: 'web' }, Data: Buffer.from(NGINX_CONF).toString('base64') }],
      [
        appID,
        {
          Name: 'app.yml',
          Labels: { env: '' },
          Data: Buffer.from('name: {{.Service.Name}}\n').toString('base64'),
          Templating: { Name: 'golang' },
        },
      ],
    ]);
  });

  it('create refusals: the CLI its own, the daemon with swarmkit texts; 1000 KiB is the limit', async () => {
    const usage = await docker(['config', 'create', 'x']);
    expect([usage.code, usage.stderr.split('\n')[0]]).toEqual([
      1,
      "docker: 'docker config create' requires 2 arguments",
    ]);
    await fails(
      ['config', 'create', 'x', '-'],
      'Error reading content from "-": error reading from STDIN: data is empty',
      '',
    );
    await fails(
      ['config', 'create', 'NGINX.CONF', file('again', 'x')],
      `${FROM_DAEMON}rpc error: code = AlreadyExists desc = config NGINX.CONF already exists`,
    );
    await fails(
      ['config', 'create', 'a/b', file('bad', 'x')],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]`,
    );
    await fails(
      ['config', 'create', 'big', file('big', Buffer.alloc(1000 * 1024, 'a'))],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config data must be larger than 0 and less than 1024000 bytes`,
    );
    expect((await ok(['config', 'create', 'max', file('max', Buffer.alloc(1000 * 1024 - 1, 'a'))])).trim()).toMatch(ID);
    await fails(
      ['config', 'create', '--template-driver', 'jinja', 'j', file('j', 'x')],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = unrecognized template type "jinja": a config's template driver must be "golang" (--template-driver golang)`,
    );
  });

  it('ls: the table, -q, --format and filters name, id, label; names is not a config filter', async () => {
    const table = (await ok(['config', 'ls'])).trimEnd().split('\n');
    expect(table[0]!.split(/ {2,}/)).toEqual(['ID', 'NAME', 'CREATED', 'UPDATED']);
    expect(table.slice(1).map((l) => l.split(/ {2,}/).slice(0, 2))).toEqual([
      [appID, 'app.yml'],
      [expect.stringMatching(ID), 'max'],
      [nginxID, 'nginx.conf'],
    ]);
    expect((await ok(['config', 'ls', '-q'])).trim().split('\n').sort()).toHaveLength(3);
    expect(await ok(['config', 'ls', '--filter', 'name=NGINX', '--format', '{{.ID}} {{.Name}}'])).toBe(
      `${nginxID} nginx.conf\n`,
    );
    expect(await ok(['config', 'ls', '-f', `id=${appID.slice(0, 6)}`, '-q'])).toBe(`${appID}\n`);
    expect(await ok(['config', 'ls', '--filter', 'label=tier=web', '--format', '{{.Name}} {{.Labels}}'])).toBe(
      'nginx.conf tier=web\n',
    );
    await fails(['config', 'ls', '--filter', 'names=app.yml'], `${FROM_DAEMON}invalid filter 'names'`);
  });

  it('inspect: --format, --pretty (with the data), not found', async () => {
    expect(await ok(['config', 'inspect', '--format', '{{.Spec.Name}} {{printf "%s" .Spec.Data}}', nginxID])).toBe(
      `nginx.conf ${NGINX_CONF}\n`,
    );
    expect(await ok(['config', 'inspect', '--pretty', 'nginx.conf'])).toMatch(
      new RegExp(
        `^ID:\t\t\t${nginxID}\nName:\t\t\tnginx.conf\nLabels:\n - tier=web\nCreated at:            \t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[.\\d]* \\+0000 utc\nUpdated at:            \t.+ utc\nData:\n${NGINX_CONF.replace(/[{}]/g, '\\$&')}\n$`,
      ),
    );
    const missing = await fails(['config', 'inspect', 'nope'], `${FROM_DAEMON}config nope not found`);
    expect(missing.stdout).toBe('[]\n');
    const r = await docker(['config', 'update', 'nginx.conf']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, 'docker: unknown command: docker config update']);
  });

  it('service create/update --config with source, target, uid, gid, mode; clashing targets are refused', async () => {
    await ok([
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--config',
      'nginx.conf',
      '--config',
      'source=app.yml,target=/etc/app.yml,uid=33,gid=33,mode=0440',
      'nginx:alpine',
    ]);
    const refs = async () =>
      JSON.parse(
        await ok(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Configs}}', 'web']),
      );
    expect(await refs()).toEqual([
      { File: { Name: 'nginx.conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: nginxID, ConfigName: 'nginx.conf' },
      { File: { Name: '/etc/app.yml', UID: '33', GID: '33', Mode: 0o440 }, ConfigID: appID, ConfigName: 'app.yml' },
    ]);
    await fails(
      ['service', 'create', '-d', '--name', 'w2', '--config', 'nosuch', 'nginx:alpine'],
      'config not found: nosuch',
    );
    await fails(
      ['service', 'update', '-d', '--config-add', 'source=max,target=/etc/app.yml', 'web'],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config references 'app.yml' and 'max' have a conflicting target: '/etc/app.yml'`,
    );
    await ok(['service', 'update', '-d', '--config-rm', 'nginx.conf', '--config-add', 'source=max,target=/max', 'web']);
    expect((await refs()).map((r: { ConfigName: string }) => r.ConfigName)).toEqual(['app.yml', 'max']);
  });

  it('rm: prints each name, refuses one in use with swarm text and goes on with the rest', async () => {
    const r = await fails(
      ['config', 'rm', 'app.yml', 'nginx.conf', 'nope'],
      [
        `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config 'app.yml' is in use by the following service: web`,
        `${FROM_DAEMON}config nope not found`,
      ].join('\n'),
    );
    expect(r.stdout).toBe('nginx.conf\n');
    await ok(['service', 'rm', 'web']);
    expect(await ok(['config', 'rm', appID, 'max'])).toBe(`${appID}\nmax\n`);
    expect(await ok(['config', 'ls', '-q'])).toBe('');
  });
});

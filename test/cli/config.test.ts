// `docker config` conformance: every command and common flag of the family
// with the real docker CLI (28.2.2) against one real manager process; output
// (tables, --format, --pretty with the data), exit codes and error texts as
// Docker gives them, and the service --config flags.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliSession, type CliSession } from './cli-session';

const ID = /^[0-9a-z]{25}$/;
const FROM_DAEMON = 'Error response from daemon: ';
const NGINX_CONF = 'server { listen 80; }\n';

describe('docker config', () => {
  let cli: CliSession;

  beforeAll(async () => {
    cli = await startCliSession('cli-config', { simWorkers: 1 });
  }, 90_000);

  afterAll(async () => {
    await cli?.stop();
  }, 30_000);

  let nginxID = '';
  let appID = '';

  it('create from a file and from stdin (-) prints the ID; inspect returns the data, labels and templating', async () => {
    nginxID = (
      await cli.ok(['config', 'create', '--label', 'tier=web', 'nginx.conf', cli.file('nginx', NGINX_CONF)])
    ).trim();
    expect(nginxID).toMatch(ID);
    appID = (
      await cli.ok(['config', 'create', '-l', 'env', '--template-driver', 'golang', 'app.yml', '-'], {
        input: 'name: {{.Service.Name}}\n',
      })
    ).trim();
    const got = JSON.parse(await cli.ok(['config', 'inspect', 'nginx.conf', appID])) as { ID: string; Spec: object }[];
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
    const usage = await cli.docker(['config', 'create', 'x']);
    expect([usage.code, usage.stderr.split('\n')[0]]).toEqual([
      1,
      "docker: 'docker config create' requires 2 arguments",
    ]);
    await cli.fails(
      ['config', 'create', 'x', '-'],
      'Error reading content from "-": error reading from STDIN: data is empty',
      { input: '' },
    );
    await cli.fails(
      ['config', 'create', 'NGINX.CONF', cli.file('again', 'x')],
      `${FROM_DAEMON}rpc error: code = AlreadyExists desc = config NGINX.CONF already exists`,
    );
    await cli.fails(
      ['config', 'create', 'a/b', cli.file('bad', 'x')],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]`,
    );
    await cli.fails(
      ['config', 'create', 'big', cli.file('big', Buffer.alloc(1000 * 1024, 'a'))],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config data must be larger than 0 and less than 1024000 bytes`,
    );
    expect(
      (await cli.ok(['config', 'create', 'max', cli.file('max', Buffer.alloc(1000 * 1024 - 1, 'a'))])).trim(),
    ).toMatch(ID);
    await cli.fails(
      ['config', 'create', '--template-driver', 'jinja', 'j', cli.file('j', 'x')],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = unrecognized template type "jinja": a config's template driver must be "golang" (--template-driver golang)`,
    );
  });

  it('ls: the table, -q, --format and filters name, id, label; names is not a config filter', async () => {
    const table = (await cli.ok(['config', 'ls'])).trimEnd().split('\n');
    expect(table[0]!.split(/ {2,}/)).toEqual(['ID', 'NAME', 'CREATED', 'UPDATED']);
    expect(table.slice(1).map((l) => l.split(/ {2,}/).slice(0, 2))).toEqual([
      [appID, 'app.yml'],
      [expect.stringMatching(ID), 'max'],
      [nginxID, 'nginx.conf'],
    ]);
    expect((await cli.ok(['config', 'ls', '-q'])).trim().split('\n').sort()).toHaveLength(3);
    expect(await cli.ok(['config', 'ls', '--filter', 'name=NGINX', '--format', '{{.ID}} {{.Name}}'])).toBe(
      `${nginxID} nginx.conf\n`,
    );
    expect(await cli.ok(['config', 'ls', '-f', `id=${appID.slice(0, 6)}`, '-q'])).toBe(`${appID}\n`);
    expect(await cli.ok(['config', 'ls', '--filter', 'label=tier=web', '--format', '{{.Name}} {{.Labels}}'])).toBe(
      'nginx.conf tier=web\n',
    );
    await cli.fails(['config', 'ls', '--filter', 'names=app.yml'], `${FROM_DAEMON}invalid filter 'names'`);
  });

  it('inspect: --format, --pretty (with the data), not found', async () => {
    expect(await cli.ok(['config', 'inspect', '--format', '{{.Spec.Name}} {{printf "%s" .Spec.Data}}', nginxID])).toBe(
      `nginx.conf ${NGINX_CONF}\n`,
    );
    expect(await cli.ok(['config', 'inspect', '--pretty', 'nginx.conf'])).toMatch(
      new RegExp(
        `^ID:\t\t\t${nginxID}\nName:\t\t\tnginx.conf\nLabels:\n - tier=web\nCreated at:            \t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[.\\d]* \\+0000 utc\nUpdated at:            \t.+ utc\nData:\n${NGINX_CONF.replace(/[{}]/g, '\\$&')}\n$`,
      ),
    );
    const missing = await cli.fails(['config', 'inspect', 'nope'], `${FROM_DAEMON}config nope not found`);
    expect(missing.stdout).toBe('[]\n');
    const r = await cli.docker(['config', 'update', 'nginx.conf']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, 'docker: unknown command: docker config update']);
  });

  it('service create/update --config with source, target, uid, gid, mode; clashing targets are refused', async () => {
    await cli.ok([
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
    // sorted by name: the CLI sends the references of one command in Go map order
    const refs = async () =>
      (
        JSON.parse(
          await cli.ok(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Configs}}', 'web']),
        ) as { ConfigName: string }[]
      ).sort((x, y) => x.ConfigName.localeCompare(y.ConfigName));
    expect(await refs()).toEqual([
      { File: { Name: '/etc/app.yml', UID: '33', GID: '33', Mode: 0o440 }, ConfigID: appID, ConfigName: 'app.yml' },
      { File: { Name: 'nginx.conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: nginxID, ConfigName: 'nginx.conf' },
    ]);
    await cli.fails(
      ['service', 'create', '-d', '--name', 'w2', '--config', 'nosuch', 'nginx:alpine'],
      'config not found: nosuch',
    );
    await cli.fails(
      ['service', 'update', '-d', '--config-add', 'source=max,target=/etc/app.yml', 'web'],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config references 'app.yml' and 'max' have a conflicting target: '/etc/app.yml'`,
    );
    await cli.ok([
      'service',
      'update',
      '-d',
      '--config-rm',
      'nginx.conf',
      '--config-add',
      'source=max,target=/max',
      'web',
    ]);
    expect((await refs()).map((r) => r.ConfigName)).toEqual(['app.yml', 'max']);
  });

  it('rm: prints each name, refuses one in use with swarm text and goes on with the rest', async () => {
    const r = await cli.fails(
      ['config', 'rm', 'app.yml', 'nginx.conf', 'nope'],
      [
        `${FROM_DAEMON}rpc error: code = InvalidArgument desc = config 'app.yml' is in use by the following service: web`,
        `${FROM_DAEMON}config nope not found`,
      ].join('\n'),
    );
    expect(r.stdout).toBe('nginx.conf\n');
    await cli.ok(['service', 'rm', 'web']);
    expect(await cli.ok(['config', 'rm', appID, 'max'])).toBe(`${appID}\nmax\n`);
    expect(await cli.ok(['config', 'ls', '-q'])).toBe('');
  });
});

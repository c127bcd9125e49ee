// `docker secret` conformance: every command and common flag of the family
// with the real docker CLI (28.2.2) against one real manager process; output
// (tables, --format, --pretty), exit codes and error texts as Docker gives
// them (dockerd's, swarmkit's, or the CLI's own), the service --secret flags,
// and the secret's value in no output, no API answer and no server log line.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliSession, type CliSession } from './cli-session';

/** The value every secret here holds: it must never come back. */
const VALUE = 'p4ss-w0rd-never-shown-8c1f';
const ID = /^[0-9a-z]{25}$/;
const FROM_DAEMON = 'Error response from daemon: ';
const NOT_RETURNED: string[] = [VALUE, Buffer.from(VALUE).toString('base64')];

describe('docker secret', () => {
  let cli: CliSession;
  /** Every output the CLI gave, checked for the value at the end. */
  const seen: string[] = [];
  /** An API answer's text, kept with the CLI's outputs. */
  const api = async (path: string): Promise<string> => {
    const text = await (await fetch(`http://127.0.0.1:${cli.ports.engine}/v1.50${path}`)).text();
    seen.push(text);
    return text;
  };

  beforeAll(async () => {
    cli = await startCliSession('cli-secret', { simWorkers: 1, onOutput: (text) => seen.push(text) });
  }, 90_000);

  afterAll(async () => {
    await cli?.stop();
  }, 30_000);

  let dbID = '';
  let apiID = '';

  it('create from a file and from stdin (-) prints the ID; --label/-l and --template-driver are kept', async () => {
    dbID = (await cli.ok(['secret', 'create', 'db_pass', cli.file('db', VALUE)])).trim();
    expect(dbID).toMatch(ID);
    apiID = (
      await cli.ok(['secret', 'create', '-l', 'tier=api', '--label', 'owner', 'api_key', '-'], { input: VALUE })
    ).trim();
    expect(apiID).toMatch(ID);
    const tpl = (
      await cli.ok(['secret', 'create', '--template-driver', 'golang', 'tpl', '-'], { input: '{{ .Service.Name }}' })
    ).trim();
    const specs = JSON.parse(await cli.ok(['secret', 'inspect', 'api_key', tpl])) as { ID: string; Spec: object }[];
    expect(specs.map((s) => [s.ID, s.Spec])).toEqual([
      [apiID, { Name: 'api_key', Labels: { tier: 'api', owner: '' } }],
      [tpl, { Name: 'tpl', Labels: {}, Templating: { Name: 'golang' } }],
    ]);
  });

  it('create refusals: the CLI its own, the daemon with swarmkit texts', async () => {
    await cli.fails(['secret', 'create', 'x'], 'secret file is required');
    await cli.fails(['secret', 'create', 'x', '-'], 'error reading from STDIN: data is empty', { input: '' });
    const empty = cli.file('empty', '');
    await cli.fails(['secret', 'create', 'x', empty], `error reading from ${empty}: data is empty`);
    await cli.fails(
      ['secret', 'create', '--driver', 'vault', 'x', empty],
      'When using secret driver secret data must be empty',
    );
    await cli.fails(
      ['secret', 'create', 'DB_PASS', cli.file('again', 'other')],
      `${FROM_DAEMON}rpc error: code = AlreadyExists desc = secret DB_PASS already exists`,
    );
    await cli.fails(
      ['secret', 'create', 'bad.', cli.file('bad', 'x')],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]`,
    );
    await cli.fails(
      ['secret', 'create', 'big', cli.file('big', Buffer.alloc(500 * 1024, 'a'))],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes`,
    );
    expect(
      (await cli.ok(['secret', 'create', 'max', cli.file('max', Buffer.alloc(500 * 1024 - 1, 'a'))])).trim(),
    ).toMatch(ID);
    await cli.fails(
      ['secret', 'create', '--driver', 'vault', 'ext'],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = secret driver "vault" is not supported: Swarmdeck has no secret driver plugins; create the secret from a file or stdin instead`,
    );
  });

  it('ls: the table, -q, --format, and filters name, id, label; an unknown filter is refused', async () => {
    const table = (await cli.ok(['secret', 'ls'])).trimEnd().split('\n');
    expect(table[0]!.split(/ {2,}/)).toEqual(['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED']);
    // sorted by name, client-side; DRIVER empty, times relative
    expect(table.slice(1).map((l) => l.split(/ {2,}/).slice(0, 2))).toEqual([
      [apiID, 'api_key'],
      [dbID, 'db_pass'],
      [expect.stringMatching(ID), 'max'],
      [expect.stringMatching(ID), 'tpl'],
    ]);
    expect(table[1]).toMatch(/ {2,}(Less than a second|\d+ seconds?) ago {2,}/);
    expect((await cli.ok(['secret', 'ls', '-q'])).trim().split('\n')).toHaveLength(4);
    expect(await cli.ok(['secret', 'ls', '--filter', 'name=db', '--format', '{{.ID}} {{.Name}}'])).toBe(
      `${dbID} db_pass\n`,
    );
    expect(await cli.ok(['secret', 'ls', '-f', `id=${apiID.slice(0, 6)}`, '-q'])).toBe(`${apiID}\n`);
    // Go ranges over the label map in random order
    const labelled = await cli.ok(['secret', 'ls', '--filter', 'label=tier=api', '--format', '{{.Name}} {{.Labels}}']);
    expect(labelled).toMatch(/^api_key (owner=,tier=api|tier=api,owner=)\n$/);
    expect(await cli.ok(['secret', 'ls', '--filter', 'label=owner', '--format', '{{.Label "tier"}}'])).toBe('api\n');
    expect(await cli.ok(['secret', 'ls', '--filter', 'name=nomatch'])).toBe(
      'ID        NAME      DRIVER    CREATED   UPDATED\n',
    );
    await cli.fails(['secret', 'ls', '--filter', 'driver=x'], `${FROM_DAEMON}invalid filter 'driver'`);
  });

  it('inspect: by ID, name in any case or prefix; --format; --pretty; not found', async () => {
    for (const ref of [dbID, 'db_pass', 'DB_Pass', dbID.slice(0, 8)])
      expect(await cli.ok(['secret', 'inspect', '--format', '{{.ID}} {{.Spec.Name}} {{json .Spec.Data}}', ref])).toBe(
        `${dbID} db_pass null\n`,
      );
    const pretty = await cli.ok(['secret', 'inspect', '--pretty', 'api_key']);
    expect(pretty).toMatch(
      new RegExp(
        `^ID:              ${apiID}\nName:              api_key\nLabels:\n - owner\n - tier=api\nDriver:            \nCreated at:        \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[.\\d]* \\+0000 utc\nUpdated at:        .+ utc\n$`,
      ),
    );
    const missing = await cli.fails(['secret', 'inspect', 'nope'], `${FROM_DAEMON}secret nope not found`);
    expect(missing.stdout).toBe('[]\n');
    const partial = await cli.fails(
      ['secret', 'inspect', '-f', '{{.Spec.Name}}', 'nope', 'db_pass'],
      `${FROM_DAEMON}secret nope not found`,
    );
    expect(partial.stdout).toBe('db_pass\n');
  });

  it('has no update command (Docker updates labels only through the API)', async () => {
    const r = await cli.docker(['secret', 'update', 'db_pass']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, 'docker: unknown command: docker secret update']);
  });

  it('service create/update --secret with source, target, uid, gid, mode; the server checks every reference', async () => {
    await cli.ok([
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--secret',
      'db_pass',
      '--secret',
      'source=api_key,target=/etc/app/key,uid=100,gid=101,mode=0400',
      'busybox',
      'sleep',
      '600',
    ]);
    // sorted by name: the CLI sends the references of one command in Go map order
    const refs = async () =>
      (
        JSON.parse(
          await cli.ok(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}', 'web']),
        ) as { SecretName: string; File: { Name: string } }[]
      ).sort((x, y) => x.SecretName.localeCompare(y.SecretName));
    expect(await refs()).toEqual([
      { File: { Name: '/etc/app/key', UID: '100', GID: '101', Mode: 0o400 }, SecretID: apiID, SecretName: 'api_key' },
      { File: { Name: 'db_pass', UID: '0', GID: '0', Mode: 0o444 }, SecretID: dbID, SecretName: 'db_pass' },
    ]);
    // the CLI resolves names itself: an unknown one never reaches the server
    await cli.fails(
      ['service', 'create', '-d', '--name', 'w2', '--secret', 'nosuch', 'busybox'],
      'secret not found: nosuch',
    );
    await cli.fails(
      ['service', 'update', '-d', '--secret-add', 'source=tpl,target=/etc/app/key', 'web'],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = secret references 'api_key' and 'tpl' have a conflicting target: '/etc/app/key'`,
    );
    await cli.ok([
      'service',
      'update',
      '-d',
      '--secret-rm',
      'db_pass',
      '--secret-add',
      'source=tpl,target=rendered',
      'web',
    ]);
    expect((await refs()).map((r) => [r.SecretName, r.File.Name])).toEqual([
      ['api_key', '/etc/app/key'],
      ['tpl', 'rendered'],
    ]);
    // a reference whose name is not the ID's object's (as a hand-made spec could send)
    const spec = JSON.parse(await cli.ok(['service', 'inspect', '--format', '{{json .Spec}}', 'web']));
    const version = (await cli.ok(['service', 'inspect', '--format', '{{.Version.Index}}', 'web'])).trim();
    spec.TaskTemplate.ContainerSpec.Secrets[0].SecretName = 'db_pass';
    const res = await fetch(`http://127.0.0.1:${cli.ports.engine}/v1.50/services/web/update?version=${version}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(spec),
    });
    expect([res.status, await res.json()]).toEqual([
      400,
      { message: 'rpc error: code = InvalidArgument desc = secret not found: db_pass' },
    ]);
  });

  it('rm: prints each name, several at once, refuses one in use with swarm text and goes on with the rest', async () => {
    const r = await cli.fails(
      ['secret', 'rm', 'api_key', 'db_pass', 'nope'],
      [
        `${FROM_DAEMON}rpc error: code = InvalidArgument desc = secret 'api_key' is in use by the following service: web`,
        `${FROM_DAEMON}secret nope not found`,
      ].join('\n'),
    );
    expect(r.stdout).toBe('db_pass\n');
    await cli.ok(['service', 'create', '-d', '--name', 'web2', '--secret', 'api_key', 'busybox', 'sleep', '600']);
    // swarmkit names the users in service ID order
    const users = (await cli.ok(['service', 'ls', '--filter', 'name=web', '--format', '{{.ID}} {{.Name}}']))
      .trim()
      .split('\n')
      .sort()
      .map((l) => l.split(' ')[1]);
    await cli.fails(
      ['secret', 'rm', apiID],
      `${FROM_DAEMON}rpc error: code = InvalidArgument desc = secret 'api_key' is in use by the following services: ${users.join(', ')}`,
    );
    await cli.ok(['service', 'rm', 'web', 'web2']);
    expect(await cli.ok(['secret', 'rm', 'api_key', 'tpl', 'max'])).toBe('api_key\ntpl\nmax\n');
    expect(await cli.ok(['secret', 'ls', '-q'])).toBe('');
  });

  it('never shows the value: not in CLI output, API answers, or the server log', async () => {
    const id = (await cli.ok(['secret', 'create', 'last', '-'], { input: VALUE })).trim();
    await api('/secrets');
    await api(`/secrets/${id}`);
    await api('/services');
    await api('/tasks');
    // the session's hook did record the CLI's outputs (this create's among them)
    expect(seen).toContain(`${id}\n`);
    for (const text of [...seen, cli.server.output()]) for (const v of NOT_RETURNED) expect(text).not.toContain(v);
  });

  it('keeps the value in the raft store (the SQLite database) and in no other file of the data dir', async () => {
    const files = readdirSync(cli.server.dataDir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name));
    const store = files.filter((f) => /\/swarmdeck\.db(-wal|-shm)?$/.test(f));
    expect(store.length).toBeGreaterThan(0);
    for (const f of files.filter((f) => !store.includes(f))) {
      const text = readFileSync(f).toString('latin1');
      for (const v of NOT_RETURNED) expect(text, f).not.toContain(v);
    }
  });
});

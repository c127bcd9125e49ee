// The /secrets and /configs routes as dockerd answers them: create, lookups
// (ID, name in any case, prefix), list filters, labels-only updates with
// their version check, in-use removal, swarmkit's texts and statuses; and a
// secret's value never in any answer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestEngine, type Reply, type TestEngine } from '../test-support';

let engine: TestEngine;
beforeEach(async () => {
  engine = await startTestEngine();
});
afterEach(async () => {
  await engine.close();
});

const call = (method: string, path: string, body?: unknown) => engine.call(method, `/v1.50${path}`, body);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const VALUE = 'hunter2-the-secret-value';

function refused(r: Reply, status: number, message: string): void {
  expect([r.status, r.json, r.headers['content-type']]).toEqual([status, { message }, 'application/json']);
}

async function create(kind: 'secrets' | 'configs', name: string, extra: object = {}): Promise<string> {
  const r = await call('POST', `/${kind}/create`, { Name: name, Labels: {}, Data: b64(VALUE), ...extra });
  expect(r.status).toBe(201);
  return (r.json as { ID: string }).ID;
}

describe('/secrets', () => {
  it('create answers 201 {ID}; inspect and list never carry Data', async () => {
    const id = await create('secrets', 'db_pass', { Labels: { tier: 'db' } });
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    const got = await call('GET', `/secrets/${id}`);
    expect(got.json).toEqual({
      ID: id,
      Version: { Index: expect.any(Number) },
      CreatedAt: expect.any(String),
      UpdatedAt: expect.any(String),
      Spec: { Name: 'db_pass', Labels: { tier: 'db' } },
    });
    const list = await call('GET', '/secrets');
    for (const r of [got, list]) {
      expect(r.text).not.toContain(b64(VALUE));
      expect(r.text).not.toContain('Data');
    }
    expect((list.json as unknown[]).length).toBe(1);
  });

  it('looks up by ID, by name in any case and by unique ID prefix; Docker texts otherwise', async () => {
    const id = await create('secrets', 'Api-Key');
    for (const ref of [id, 'Api-Key', 'api-key', id.slice(0, 5)])
      expect(((await call('GET', `/secrets/${ref}`)).json as { ID: string }).ID).toBe(id);
    refused(await call('GET', '/secrets/nope'), 404, 'secret nope not found');
    refused(await call('DELETE', '/secrets/nope'), 404, 'secret nope not found');
  });

  it('names are unique case-insensitively (409) and follow swarm rules; sizes per swarmkit', async () => {
    await create('secrets', 'token');
    refused(
      await call('POST', '/secrets/create', { Name: 'TOKEN', Data: b64('x') }),
      409,
      'rpc error: code = AlreadyExists desc = secret TOKEN already exists',
    );
    refused(
      await call('POST', '/secrets/create', { Name: '', Data: b64('x') }),
      400,
      'rpc error: code = InvalidArgument desc = name must be provided',
    );
    for (const bad of ['-a', 'a-', 'a b', 'x'.repeat(65)])
      refused(
        await call('POST', '/secrets/create', { Name: bad, Data: b64('x') }),
        400,
        'rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
      );
    await create('secrets', 'a.b-c_d');
    const tooBig =
      'rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than 512000 bytes';
    refused(await call('POST', '/secrets/create', { Name: 'empty' }), 400, tooBig);
    refused(
      await call('POST', '/secrets/create', { Name: 'big', Data: Buffer.alloc(500 * 1024).toString('base64') }),
      400,
      tooBig,
    );
    await create('secrets', 'max', { Data: Buffer.alloc(500 * 1024 - 1).toString('base64') });
    refused(
      await call('POST', '/secrets/create', { Name: 'bad64', Data: '!!!' }),
      400,
      'invalid JSON: illegal base64 data in Data',
    );
  });

  it('refuses an external driver and a template driver other than golang', async () => {
    refused(
      await call('POST', '/secrets/create', { Name: 'ext', Driver: { Name: '' } }),
      400,
      'rpc error: code = InvalidArgument desc = secret driver must have a name',
    );
    const ext = await call('POST', '/secrets/create', { Name: 'ext', Driver: { Name: 'vault' } });
    expect([ext.status, (ext.json as { message: string }).message]).toEqual([
      400,
      expect.stringContaining('secret driver "vault" is not supported'),
    ]);
    const tpl = await call('POST', '/secrets/create', { Name: 't', Data: b64('x'), Templating: { Name: 'jinja' } });
    expect([tpl.status, (tpl.json as { message: string }).message]).toEqual([
      400,
      expect.stringContaining('unrecognized template type "jinja"'),
    ]);
    const id = await create('secrets', 'tpl', { Templating: { Name: 'golang' } });
    expect(((await call('GET', `/secrets/${id}`)).json as { Spec: object }).Spec).toEqual({
      Name: 'tpl',
      Labels: {},
      Templating: { Name: 'golang' },
    });
  });

  it('filters: names exact, name and id prefixes (any of them), label; an unknown key is a 400', async () => {
    const a = await create('secrets', 'app_key', { Labels: { env: 'prod', team: 'x' } });
    const b = await create('secrets', 'app_key2', { Labels: { env: 'dev' } });
    const c = await create('secrets', 'other');
    const ids = async (f: object) =>
      ((await call('GET', `/secrets?filters=${encodeURIComponent(JSON.stringify(f))}`)).json as { ID: string }[])
        .map((s) => s.ID)
        .sort();
    expect(await ids({ names: { app_key: true } })).toEqual([a]);
    expect(await ids({ name: { APP: true } })).toEqual([a, b].sort());
    expect(await ids({ id: { [c]: true }, names: { app_key: true } })).toEqual([a, c].sort());
    expect(await ids({ label: { env: true } })).toEqual([a, b].sort());
    expect(await ids({ label: { 'env=prod': true } })).toEqual([a]);
    refused(
      await call('GET', `/secrets?filters=${encodeURIComponent('{"driver":{"x":true}}')}`),
      400,
      "invalid filter 'driver'",
    );
  });

  it('update changes labels only; a new name or other data is refused, a stale version too', async () => {
    const id = await create('secrets', 'rot');
    const version = ((await call('GET', `/secrets/${id}`)).json as { Version: { Index: number } }).Version.Index;
    const ok = await call('POST', `/secrets/rot/update?version=${version}`, {
      Name: 'rot',
      Labels: { a: '1' },
      Data: b64(VALUE),
    });
    expect([ok.status, ok.text]).toEqual([200, '']);
    const after = (await call('GET', `/secrets/${id}`)).json as { Version: { Index: number }; Spec: object };
    expect(after.Spec).toEqual({ Name: 'rot', Labels: { a: '1' } });
    const only = 'rpc error: code = InvalidArgument desc = only updates to Labels are allowed';
    const v = after.Version.Index;
    refused(await call('POST', `/secrets/${id}/update?version=${v}`, { Name: 'rot2', Labels: {} }), 400, only);
    refused(await call('POST', `/secrets/${id}/update?version=${v}`, { Name: 'rot', Data: b64('other') }), 400, only);
    refused(
      await call('POST', `/secrets/${id}/update?version=${v - 1}`, { Name: 'rot', Labels: {} }),
      409,
      'rpc error: code = Unknown desc = update out of sequence',
    );
    refused(await call('POST', `/secrets/${id}/update?version=x`, { Name: 'rot' }), 400, 'invalid secret version');
  });

  it('remove answers 204; refused while a service uses it, naming the services', async () => {
    const id = await create('secrets', 'used');
    const svc = (name: string) => ({
      Name: name,
      TaskTemplate: {
        ContainerSpec: {
          Image: 'busybox',
          Secrets: [{ SecretID: id, SecretName: 'used', File: { Name: 'used', UID: '0', GID: '0', Mode: 292 } }],
        },
      },
    });
    expect((await call('POST', '/services/create', svc('web'))).status).toBe(201);
    refused(
      await call('DELETE', '/secrets/used'),
      400,
      "rpc error: code = InvalidArgument desc = secret 'used' is in use by the following service: web",
    );
    expect((await call('POST', '/services/create', svc('api'))).status).toBe(201);
    const two = await call('DELETE', `/secrets/${id}`);
    expect((two.json as { message: string }).message).toMatch(
      /^rpc error: code = InvalidArgument desc = secret 'used' is in use by the following services: (web, api|api, web)$/,
    );
    expect((await call('DELETE', '/services/web')).status).toBe(200);
    expect((await call('DELETE', '/services/api')).status).toBe(200);
    const gone = await call('DELETE', `/secrets/${id}`);
    expect([gone.status, gone.text]).toEqual([204, '']);
    refused(await call('GET', `/secrets/${id}`), 404, `secret ${id} not found`);
  });
});

describe('/configs', () => {
  it('returns Data, allows 1000 KiB, has no names filter', async () => {
    const id = await create('configs', 'nginx.conf');
    const got = (await call('GET', '/configs/NGINX.CONF')).json as { ID: string; Spec: { Data: string } };
    expect([got.ID, got.Spec.Data]).toEqual([id, b64(VALUE)]);
    await create('configs', 'big', { Data: Buffer.alloc(1000 * 1024 - 1).toString('base64') });
    refused(
      await call('POST', '/configs/create', { Name: 'bigger', Data: Buffer.alloc(1000 * 1024).toString('base64') }),
      400,
      'rpc error: code = InvalidArgument desc = config data must be larger than 0 and less than 1024000 bytes',
    );
    refused(
      await call('GET', `/configs?filters=${encodeURIComponent('{"names":{"x":true}}')}`),
      400,
      "invalid filter 'names'",
    );
    refused(
      await call('POST', '/configs/create', { Name: 'nginx.Conf', Data: b64('x') }),
      409,
      'rpc error: code = AlreadyExists desc = config nginx.Conf already exists',
    );
    refused(await call('GET', '/configs/nope'), 404, 'config nope not found');
  });

  it('update is labels only; remove is refused while in use', async () => {
    const id = await create('configs', 'app.yml');
    const v = ((await call('GET', `/configs/${id}`)).json as { Version: { Index: number } }).Version.Index;
    expect(
      (await call('POST', `/configs/${id}/update?version=${v}`, { Name: 'app.yml', Labels: { x: 'y' } })).status,
    ).toBe(200);
    refused(
      await call('POST', `/configs/${id}/update?version=${v + 1}`, { Name: 'app.yml', Data: b64('new') }),
      400,
      'rpc error: code = InvalidArgument desc = only updates to Labels are allowed',
    );
    const svc = {
      Name: 'web',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'busybox',
          Configs: [{ ConfigID: id, ConfigName: 'app.yml', File: { Name: '/app.yml', UID: '0', GID: '0', Mode: 292 } }],
        },
      },
    };
    expect((await call('POST', '/services/create', svc)).status).toBe(201);
    refused(
      await call('DELETE', '/configs/app.yml'),
      400,
      "rpc error: code = InvalidArgument desc = config 'app.yml' is in use by the following service: web",
    );
  });
});

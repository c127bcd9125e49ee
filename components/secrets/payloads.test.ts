import { describe, expect, it } from 'vitest';
import type { Config, Secret, Service } from '@/server/api/types';
import { fixtureService } from '../cluster/test-fixtures';
import { configData, findPayload, payloadRows } from './payloads';

const meta = { Version: { Index: 3 }, CreatedAt: '2026-01-01T00:00:00Z', UpdatedAt: '2026-01-02T00:00:00Z' };
const VALUE = Buffer.from('the-secret-value').toString('base64');

function secret(id: string, name: string, extra: Partial<Secret['Spec']> = {}): Secret {
  return { ID: id, ...meta, Spec: { Name: name, Labels: {}, ...extra } };
}

function using(id: string, name: string, refs: { secrets?: object[]; configs?: object[] }): Service {
  const s = fixtureService({ ID: id });
  s.Spec = { ...s.Spec, Name: name, TaskTemplate: { ...s.Spec.TaskTemplate, ContainerSpec: { Image: 'x' } } };
  s.Spec.TaskTemplate.ContainerSpec.Secrets = refs.secrets as never;
  s.Spec.TaskTemplate.ContainerSpec.Configs = refs.configs as never;
  return s;
}

describe('payloadRows', () => {
  it('lists by name with labels, templating, driver and each service using it with its file target', () => {
    const a = secret('s2', 'db_pass', { Labels: { tier: 'db', a: '' }, Templating: { Name: 'golang' } });
    const b = secret('s1', 'api_key');
    const web = using('w', 'web', {
      secrets: [
        { SecretID: 's2', SecretName: 'db_pass', File: { Name: 'db_pass', UID: '0', GID: '0', Mode: 0o444 } },
        { SecretID: 's2', SecretName: 'db_pass', File: { Name: '/etc/db', UID: '100', GID: '101', Mode: 0o400 } },
      ],
    });
    const rows = payloadRows('secret', [a, b], [web, using('x', 'api', {})]);
    expect(rows.map((r) => r.name)).toEqual(['api_key', 'db_pass']);
    expect(rows[1]).toEqual({
      kind: 'secret',
      id: 's2',
      name: 'db_pass',
      labels: [
        ['a', ''],
        ['tier', 'db'],
      ],
      createdAt: meta.CreatedAt,
      updatedAt: meta.UpdatedAt,
      templating: 'golang',
      users: [
        { serviceID: 'w', service: 'web', target: '/etc/db', uid: '100', gid: '101', mode: '0400' },
        { serviceID: 'w', service: 'web', target: 'db_pass', uid: '0', gid: '0', mode: '0444' },
      ],
    });
    expect(rows[0]!.users).toEqual([]);
  });

  it('never carries a secret value, even one that reached the browser', () => {
    const rows = payloadRows('secret', [secret('s', 'leaky', { Data: VALUE })], []);
    expect(JSON.stringify(rows)).not.toContain(VALUE);
  });

  it('config references: by ConfigID, runtime targets named as such', () => {
    const c: Config = { ID: 'c1', ...meta, Spec: { Name: 'nginx.conf', Labels: {}, Data: VALUE } };
    const svc = using('w', 'web', {
      configs: [{ ConfigID: 'c1', ConfigName: 'nginx.conf', Runtime: {} }],
    });
    expect(payloadRows('config', [c], [svc])[0]!.users).toEqual([
      { serviceID: 'w', service: 'web', target: 'runtime', uid: '—', gid: '—', mode: '—' },
    ]);
  });
});

describe('findPayload', () => {
  it('by ID, name, or a unique ID prefix', () => {
    const list = [secret('abc1', 'one'), secret('abd2', 'two')];
    expect(findPayload(list, 'abd2')?.Spec.Name).toBe('two');
    expect(findPayload(list, 'one')?.ID).toBe('abc1');
    expect(findPayload(list, 'abc')?.ID).toBe('abc1');
    expect(findPayload(list, 'ab')).toBeUndefined();
  });
});

describe('configData', () => {
  it('text when it is UTF-8, else only the size', () => {
    expect(configData(Buffer.from('server { listen 80; }\n').toString('base64'))).toEqual({
      bytes: 22,
      text: 'server { listen 80; }\n',
    });
    expect(configData(Buffer.from('héllo').toString('base64')).text).toBe('héllo');
    expect(configData(Buffer.from([0, 1, 2, 255]).toString('base64'))).toEqual({ bytes: 4 });
    expect(configData(Buffer.from([0xc3, 0x28]).toString('base64'))).toEqual({ bytes: 2 });
  });
});

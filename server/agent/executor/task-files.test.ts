import { describe, expect, it } from 'vitest';
import type { Config, Secret, Task } from '../../api/types';
import { taskTemplateContext } from '../../api/templates';
import { fileTargetPath, mergeDirs, planTaskFiles } from './task-files';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const obj = (ID: string, Name: string, data: string, templated = false) => ({
  ID,
  Version: { Index: 1 },
  CreatedAt: '',
  UpdatedAt: '',
  Spec: { Name, Labels: {}, Data: b64(data), ...(templated ? { Templating: { Name: 'golang' } } : {}) },
});

const node = { ID: 'node1', Description: { Hostname: 'edge-1' } };

function task(cs: Partial<Task['Spec']['ContainerSpec']>): Task {
  return {
    ID: 'task1',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { ContainerSpec: { Image: 'alpine', ...cs }, ForceUpdate: 0 },
    ServiceID: 'svc1',
    Slot: 3,
    NodeID: 'node1',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'api', Labels: {} },
  } as Task;
}

function deps(secrets: Secret[], configs: Config[] = []) {
  return {
    secret: (id: string) => secrets.find((s) => s.ID === id),
    config: (id: string) => configs.find((c) => c.ID === id),
  };
}

const plan = (t: Task, d: ReturnType<typeof deps>) => planTaskFiles(t, d, taskTemplateContext(t, node));

describe('file targets', () => {
  it('puts a secret under /run/secrets and a config under /, keeping absolute targets', () => {
    expect(fileTargetPath('secret', 'db_pass')).toBe('/run/secrets/db_pass');
    expect(fileTargetPath('secret', 'sub/key')).toBe('/run/secrets/sub/key');
    expect(fileTargetPath('secret', '/etc/app/key')).toBe('/etc/app/key');
    expect(fileTargetPath('config', 'app.conf')).toBe('/app.conf');
    expect(fileTargetPath('config', '/etc/nginx//nginx.conf')).toBe('/etc/nginx/nginx.conf');
  });

  it('refuses a target that climbs out of its tree or names no file', () => {
    for (const bad of ['../etc/passwd', 'a/../../b', '/', '', 'dir/', 'a\0b'])
      expect(() => fileTargetPath('secret', bad)).toThrow(/is not a file path/);
  });
});

describe('planTaskFiles', () => {
  it('gives each reference its bytes, mode and owner; defaults are the name and 0444', () => {
    const t = task({
      Secrets: [
        { SecretID: 's1', SecretName: 'db_pass', File: { Name: 'db_pass', UID: '1000', GID: '1001', Mode: 0o400 } },
        { SecretID: 's2', SecretName: 'other' },
      ],
      Configs: [
        { ConfigID: 'c1', ConfigName: 'app', File: { Name: '/etc/app/app.conf', UID: '0', GID: '0', Mode: 0o644 } },
        { ConfigID: 'c2', ConfigName: 'cred', Runtime: {} },
      ],
    });
    const files = plan(
      t,
      deps([obj('s1', 'db_pass', 'hunter2'), obj('s2', 'other', 'x')], [obj('c1', 'app', 'k=v\n')]),
    );
    expect(files.map((f) => [f.kind, f.path, f.data.toString(), f.mode, f.uid, f.gid])).toEqual([
      ['secret', '/run/secrets/db_pass', 'hunter2', 0o400, 1000, 1001],
      ['secret', '/run/secrets/other', 'x', 0o444, 0, 0],
      ['config', '/etc/app/app.conf', 'k=v\n', 0o644, 0, 0],
    ]);
  });

  it('fails for a secret the node does not hold, and for two files on one path', () => {
    expect(() => plan(task({ Secrets: [{ SecretID: 'nope', SecretName: 'gone' }] }), deps([]))).toThrow(
      'secret gone not found',
    );
    const clash = task({
      Secrets: [{ SecretID: 's1', SecretName: 'a', File: { Name: '/etc/x' } }],
      Configs: [{ ConfigID: 'c1', ConfigName: 'b', File: { Name: '/etc/x' } }],
    });
    expect(() => plan(clash, deps([obj('s1', 'a', '1')], [obj('c1', 'b', '2')]))).toThrow(
      'config b and secret a both target /etc/x',
    );
  });

  it('renders a templated secret or config per task, with secret, config and env', () => {
    const t = task({
      Env: ['MODE=prod'],
      Secrets: [
        { SecretID: 'pw', SecretName: 'pw', File: { Name: 'pw' } },
        { SecretID: 'tpl', SecretName: 'tpl', File: { Name: 'tpl' } },
      ],
      Configs: [{ ConfigID: 'cfg', ConfigName: 'cfg', File: { Name: '/etc/app.conf' } }],
    });
    const d = deps(
      [obj('pw', 'pw', 's3cret'), obj('tpl', 'tpl', 'user={{.Service.Name}} pw={{secret "pw"}}', true)],
      [
        obj(
          'cfg',
          'cfg',
          '{{.Task.Slot}}@{{.Node.Hostname}} {{env "MODE"}}{{env "UNSET"}} {{config "/etc/app.conf"}}',
          true,
        ),
      ],
    );
    // a config's own text is what `config` gives (not rendered again)
    expect(plan(t, d).map((f) => f.data.toString())).toEqual([
      's3cret',
      'user=api pw=s3cret',
      '3@edge-1 prod {{.Task.Slot}}@{{.Node.Hostname}} {{env "MODE"}}{{env "UNSET"}} {{config "/etc/app.conf"}}',
    ]);
  });

  it('leaves an untemplated payload as it is, and names the secret whose template fails', () => {
    const t = task({ Secrets: [{ SecretID: 'a', SecretName: 'a', File: { Name: 'a' } }] });
    expect(plan(t, deps([obj('a', 'a', '{{.Nope}}')]))[0]!.data.toString()).toBe('{{.Nope}}');
    expect(() => plan(t, deps([obj('a', 'a', '{{.Nope}}', true)]))).toThrow(/^secret a: template: .*Nope/);
    expect(() => plan(t, deps([obj('a', 'a', '{{secret "b"}}', true)]))).toThrow(/secret target b not found/);
  });
});

describe('mergeDirs (netns mode)', () => {
  const dirs = new Set(['/run', '/etc', '/etc/nginx', '/srv']);
  const isDir = (d: string) => dirs.has(d);
  it('merges the deepest existing directory above each file, shallowest first', () => {
    expect(
      mergeDirs(['/run/secrets/a', '/run/secrets/b/c', '/etc/nginx/nginx.conf', '/etc/app.conf', '/srv/x/y'], isDir),
    ).toEqual(['/etc', '/run', '/srv', '/etc/nginx']);
  });
  it('puts / first when a file has no other existing directory above it', () => {
    expect(mergeDirs(['/run/secrets/a', '/app.conf', '/new/dir/file'], isDir)).toEqual(['/', '/run']);
  });
  it('refuses a target the set-up shell cannot carry', () => {
    expect(() => mergeDirs(['/etc/a b'], isDir)).toThrow(/may not hold/);
    expect(() => mergeDirs(['/etc/a\\b'], isDir)).toThrow(/may not hold/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Task } from './types';
import {
  expandContainerFields,
  expandEnv,
  expandTemplate,
  parseTemplate,
  taskName,
  taskTemplateContext,
  TemplateError,
} from './templates';

const node = { ID: 'node9', Description: { Hostname: 'worker-1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };

function task(slot = 3): Task {
  return {
    ID: 'tsk1',
    ServiceID: 'svc1',
    Slot: slot,
    NodeID: 'node9',
    ServiceAnnotations: { Name: 'web', Labels: { tier: 'front', app: 'shop' } },
  } as unknown as Task;
}

const ctx = taskTemplateContext(task(), node);

describe('task template context', () => {
  it('fills every §12 field', () => {
    const t = (s: string) => expandTemplate(s, ctx);
    expect(t('{{.Service.ID}} {{.Service.Name}}')).toBe('svc1 web');
    expect(t('{{.Service.Labels}}')).toBe('map[app:shop tier:front]');
    expect(t('{{index .Service.Labels "tier"}}')).toBe('front');
    expect(t('{{.Node.ID}} {{.Node.Hostname}} {{.Node.Platform.OS}} {{.Node.Platform.Architecture}}')).toBe(
      'node9 worker-1 linux x86_64',
    );
    expect(t('{{.Task.ID}} {{.Task.Name}} {{.Task.Slot}}')).toBe('tsk1 web.3.tsk1 3');
  });

  it('uses the node ID as slot and in the name for global (slot 0) tasks', () => {
    const g = taskTemplateContext(task(0), node);
    expect(expandTemplate('{{.Task.Slot}}', g)).toBe('node9');
    expect(expandTemplate('{{.Task.Name}}', g)).toBe('web.node9.tsk1');
    expect(taskName(task(0))).toBe('web.node9.tsk1');
  });
});

describe('expandTemplate', () => {
  it('leaves text without actions alone and mixes text with actions', () => {
    expect(expandTemplate('plain $HOME {not} }}', ctx)).toBe('plain $HOME {not} }}');
    expect(expandTemplate('svc-{{.Service.Name}}-{{.Task.Slot}}.local', ctx)).toBe('svc-web-3.local');
    expect(expandTemplate('{{ .Service.Name }}', ctx)).toBe('web');
  });

  it('errors on unknown fields (missingkey=error), never printing an empty string', () => {
    expect(() => expandTemplate('{{.Task.Foo}}', ctx)).toThrow(TemplateError);
    expect(() => expandTemplate('{{.Task.Foo}}', ctx)).toThrow(/can't evaluate field Foo/);
    expect(() => expandTemplate('{{.Nope}}', ctx)).toThrow(/can't evaluate field Nope/);
    expect(() => expandTemplate('{{.Service.Labels.missing}}', ctx)).toThrow(/map has no entry for key "missing"/);
    expect(() => expandTemplate('{{.Task.ID.More}}', ctx)).toThrow(/can't evaluate field More in type string/);
    // Field access on a map works when the key exists; `index` gives the zero value for a missing key, as in Go.
    expect(expandTemplate('{{.Service.Labels.tier}}', ctx)).toBe('front');
    expect(expandTemplate('[{{index .Service.Labels "missing"}}]', ctx)).toBe('[]');
  });

  it('rejects malformed and unsupported templates', () => {
    expect(() => expandTemplate('{{.Task.ID', ctx)).toThrow(/unclosed action/);
    expect(() => expandTemplate('{{}}', ctx)).toThrow(/missing value/);
    expect(() => expandTemplate('{{printf "%s" .Task.ID}}', ctx)).toThrow(/function "printf" not defined/);
    expect(() => expandTemplate('{{if .Task.ID}}x{{end}}', ctx)).toThrow(TemplateError);
    expect(() => expandTemplate('{{.Task.ID | html}}', ctx)).toThrow(TemplateError);
    expect(() => expandTemplate('{{.Task.ID .Task.Slot}}', ctx)).toThrow(/non-function/);
  });

  it('supports join, string literals, comments and whitespace trimming', () => {
    expect(expandTemplate('{{join "-" .Service.Name .Task.Slot}}', ctx)).toBe('web-3');
    expect(expandTemplate('{{join `/` "a" "b"}}', ctx)).toBe('a/b');
    expect(expandTemplate('a{{/* note */}}b', ctx)).toBe('ab');
    expect(expandTemplate('a  {{- .Task.Slot -}}  b', ctx)).toBe('a3b');
    expect(expandTemplate('{{"}}"}}', ctx)).toBe('}}');
    expect(parseTemplate('x{{.Task.ID}}y')).toHaveLength(3);
  });
});

describe('templated container fields', () => {
  it('expands Env values but never names, Hostname and mount source/target', () => {
    expect(expandEnv(['SLOT={{.Task.Slot}}', '{{.X}}=raw', 'BARE'], ctx)).toEqual(['SLOT=3', '{{.X}}=raw', 'BARE']);
    const out = expandContainerFields(
      {
        Env: ['HOST={{.Node.Hostname}}'],
        Hostname: '{{.Service.Name}}-{{.Task.Slot}}',
        Mounts: [{ Type: 'bind', Source: '/data/{{.Task.Slot}}', Target: '/srv/{{.Service.Name}}', ReadOnly: true }],
      },
      ctx,
    );
    expect(out).toEqual({
      Env: ['HOST=worker-1'],
      Hostname: 'web-3',
      Mounts: [{ Type: 'bind', Source: '/data/3', Target: '/srv/web', ReadOnly: true }],
    });
    expect(() => expandContainerFields({ Hostname: '{{.Task.Bad}}' }, ctx)).toThrow(TemplateError);
  });
});

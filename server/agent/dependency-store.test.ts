import { afterEach, describe, expect, it, vi } from 'vitest';
import { DependencyStore } from './dependency-store';

const secret = (ID: string, Data = 'c2VjcmV0') => ({
  kind: 'secret',
  action: 'update',
  secret: { ID, Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '', Spec: { Name: ID, Labels: {}, Data } },
});
const config = (ID: string) => ({
  kind: 'config',
  action: 'update',
  config: { ID, Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '', Spec: { Name: ID, Labels: {}, Data: '' } },
});

afterEach(() => vi.restoreAllMocks());

describe('DependencyStore', () => {
  it('keeps what it is given, drops what is withdrawn, and a complete set replaces everything', () => {
    const d = new DependencyStore();
    d.applyChanges([secret('s1'), secret('s2'), config('c1')], true);
    expect(d.size).toBe(3);
    d.applyChanges([{ kind: 'secret', action: 'remove', id: 's1' }], false);
    expect(d.secret('s1')).toBeUndefined();
    expect(d.secret('s2')?.Spec.Data).toBe('c2VjcmV0');
    expect(d.config('c1')?.ID).toBe('c1');
    d.applyChanges(undefined, true);
    expect(d.size).toBe(0);
  });

  it('refuses a malformed change naming the field, never quoting a value, and keeps the rest', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const d = new DependencyStore();
    d.applyChanges(
      [secret('bad', 'not base64 at all!'), { kind: 'secret', action: 'update' }, 'x', secret('ok')],
      false,
    );
    expect(d.secret('ok')).toBeDefined();
    expect(d.secret('bad')).toBeUndefined();
    expect(d.size).toBe(1);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain('Spec.Data');
    expect(errors.join('\n')).not.toContain('not base64 at all');
  });
});

import { describe, expect, it } from 'vitest';
import { isRole, roleAtLeast } from './access';

describe('roles', () => {
  it('nest: admin ⊇ operator ⊇ viewer', () => {
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'viewer')).toBe(true);
    expect(roleAtLeast('operator', 'operator')).toBe(true);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('operator', 'admin')).toBe(false);
  });
  it('knows only its three names', () => {
    expect(isRole('viewer')).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { engineRoleRefusal, mayReadJoinTokens } from './engine-roles';

describe('Engine API roles', () => {
  const allowed = (role: 'viewer' | 'operator' | 'admin', method: string, path: string) =>
    engineRoleRefusal(role, method, path) === undefined;

  it('a viewer reads, but not logs, secrets or the unlock key, and writes nothing', () => {
    for (const p of ['/nodes', '/services', '/services/web', '/tasks', '/swarm', '/info', '/events', '/configs'])
      expect(allowed('viewer', 'GET', p)).toBe(true);
    expect(allowed('viewer', 'HEAD', '/_ping')).toBe(true);
    for (const p of ['/services/web/logs', '/tasks/t1/logs', '/secrets', '/secrets/s1', '/swarm/unlockkey'])
      expect(allowed('viewer', 'GET', p)).toBe(false);
    expect(engineRoleRefusal('viewer', 'POST', '/services/create')).toBe(
      'permission denied: role viewer may not POST /services/create (it needs the admin role)',
    );
    expect(engineRoleRefusal('viewer', 'POST', '/services/web/update')).toBe(
      'permission denied: role viewer may not POST /services/web/update (it needs the operator role)',
    );
  });

  it('an operator also updates services and nodes and reads logs and secrets, but creates and removes nothing', () => {
    for (const [m, p] of [
      ['POST', '/services/web/update'],
      ['POST', '/nodes/n1/update'],
      ['GET', '/services/web/logs'],
      ['GET', '/secrets'],
    ] as const)
      expect(allowed('operator', m, p)).toBe(true);
    for (const [m, p] of [
      ['POST', '/services/create'],
      ['DELETE', '/services/web'],
      ['DELETE', '/nodes/n1'],
      ['POST', '/secrets/create'],
      ['POST', '/swarm/update'],
      ['POST', '/swarm/leave'],
      ['POST', '/networks/create'],
      ['POST', '/swarmdeck/settings'],
      ['GET', '/swarm/unlockkey'],
    ] as const)
      expect(allowed('operator', m, p)).toBe(false);
  });

  it('an admin does everything; only admins and unidentified local clients read join tokens', () => {
    for (const [m, p] of [
      ['POST', '/services/create'],
      ['DELETE', '/nodes/n1'],
      ['GET', '/swarm/unlockkey'],
      ['POST', '/swarm/leave'],
    ] as const)
      expect(allowed('admin', m, p)).toBe(true);
    expect([undefined, 'viewer', 'operator', 'admin'].map((r) => mayReadJoinTokens(r as never))).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  it('every role scrapes /metrics (counts only), and none may write to it', () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) expect(allowed(role, 'GET', '/metrics')).toBe(true);
    expect(allowed('viewer', 'POST', '/metrics')).toBe(false);
  });
});

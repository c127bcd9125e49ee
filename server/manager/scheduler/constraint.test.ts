import { describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import { makeNode } from '../../store/test-support';
import { matchesConstraints, parseConstraint, parseConstraints, parseIP, tryParseConstraints } from './constraint';

const node = makeNode({
  ID: 'abc123',
  hostname: 'Worker-1',
  Role: 'worker',
  Spec: { Labels: { zone: 'EU-west', Disk: 'ssd' }, Role: 'worker', Availability: 'active' },
  Status: { State: 'ready', Addr: '10.1.2.3' },
});
node.Description.Engine.Labels = { tier: 'gold' };

const matches = (...exprs: string[]) => matchesConstraints(parseConstraints(exprs), node);

describe('parseConstraints', () => {
  it('splits at the operator and trims key and value', () => {
    expect(parseConstraints(['  node.role == manager ', 'node.labels.zone!=eu'])).toEqual([
      { key: 'node.role', op: '==', exp: 'manager' },
      { key: 'node.labels.zone', op: '!=', exp: 'eu' },
    ]);
  });

  it('checks == before != (so a!=b==c splits at ==)', () => {
    expect(parseConstraint('node.labels.a!=b==c')).toBe("key 'node.labels.a!=b' is invalid");
    expect(parseConstraint('node.labels.a==b!=c')).toBe("value 'b!=c' is invalid");
  });

  it('rejects bad expressions with InvalidArgument', () => {
    const cases: [string, string][] = [
      ['node.role', 'constraint expected one operator from ==, !='],
      ['node.role=manager', 'constraint expected one operator from ==, !='],
      ['==manager', "key '' is invalid"],
      ['x==manager', "key 'x' is invalid"],
      ['9node==a', "key '9node' is invalid"],
      ['node.role==', "value '' is invalid"],
      ['node.role==<x>', "value '<x>' is invalid"],
      ['node.labels.v==~1', "value '~1' is invalid"],
    ];
    for (const [expr, desc] of cases) {
      let err: unknown;
      try {
        parseConstraints([expr]);
      } catch (e) {
        err = e;
      }
      expect(err, expr).toBeInstanceOf(SwarmError);
      expect((err as SwarmError).code).toBe('InvalidArgument');
      expect((err as SwarmError).status).toBe(400);
      expect((err as SwarmError).message).toBe(`rpc error: code = InvalidArgument desc = ${desc}`);
    }
    expect(tryParseConstraints(['node.role'])).toBeUndefined();
  });

  it('accepts the special characters the value regex allows', () => {
    expect(() => parseConstraints(['node.labels.x==a*b(c)?+[d]\\^$|/e f:g-h_i.j'])).not.toThrow();
    expect(() => parseConstraints(['NODE.Labels.Key==X'])).not.toThrow();
  });
});

describe('matchesConstraints', () => {
  it('matches whole values case-insensitively, with no globbing', () => {
    expect(matches('node.hostname==worker-1')).toBe(true);
    expect(matches('node.hostname==WORKER-1')).toBe(true);
    expect(matches('node.hostname==worker')).toBe(false);
    expect(matches('node.hostname==worker-*')).toBe(false);
    expect(matches('node.hostname!=worker-1')).toBe(false);
  });

  it('covers node.id, node.role and the platform keys, key names case-insensitive', () => {
    expect(matches('node.id==ABC123')).toBe(true);
    expect(matches('node.role==worker', 'NODE.ROLE!=manager')).toBe(true);
    expect(matches('node.role==manager')).toBe(false);
    expect(matches('node.platform.os==Linux')).toBe(true);
    // arch is compared as reported, not normalised
    expect(matches('node.platform.arch==x86_64')).toBe(true);
    expect(matches('node.platform.arch==amd64')).toBe(false);
  });

  it('ANDs the list', () => {
    expect(matches('node.role==worker', 'node.labels.zone==eu-west')).toBe(true);
    expect(matches('node.role==worker', 'node.labels.zone==us')).toBe(false);
  });

  it('reads node labels with a case-sensitive label key and a folded prefix', () => {
    expect(matches('node.labels.zone==eu-west')).toBe(true);
    expect(matches('Node.Labels.zone==eu-west')).toBe(true);
    expect(matches('node.labels.Zone==eu-west')).toBe(false);
    expect(matches('node.labels.Disk==SSD')).toBe(true);
  });

  it('treats a missing label as "" (so != matches and == does not)', () => {
    expect(matches('node.labels.gpu==true')).toBe(false);
    expect(matches('node.labels.gpu!=true')).toBe(true);
    expect(matches('engine.labels.gpu!=true')).toBe(true);
  });

  it('reads engine labels', () => {
    expect(matches('engine.labels.tier==GOLD')).toBe(true);
    expect(matches('engine.labels.tier!=gold')).toBe(false);
  });

  it('never matches an unknown key, whatever the operator', () => {
    expect(matches('node.name==worker-1')).toBe(false);
    expect(matches('node.name!=worker-1')).toBe(false);
  });

  it('compares node.ip as an address or a CIDR; a malformed value fails', () => {
    expect(matches('node.ip==10.1.2.3')).toBe(true);
    expect(matches('node.ip!=10.1.2.3')).toBe(false);
    expect(matches('node.ip==10.1.2.4')).toBe(false);
    expect(matches('node.ip==10.0.0.0/8')).toBe(true);
    expect(matches('node.ip==10.1.2.0/24')).toBe(true);
    expect(matches('node.ip==10.1.3.0/24')).toBe(false);
    expect(matches('node.ip!=192.168.0.0/16')).toBe(true);
    expect(matches('node.ip==10.1.2.3/32')).toBe(true);
    expect(matches('node.ip==::ffff:10.1.2.3')).toBe(true);
    expect(matches('node.ip==10.1.2')).toBe(false);
    expect(matches('node.ip!=10.1.2')).toBe(false);
    expect(matches('node.ip==10.0.0.0/33')).toBe(false);
    const v6 = makeNode({ Status: { State: 'ready', Addr: '2001:db8::2' } });
    expect(matchesConstraints(parseConstraints(['node.ip==2001:DB8:0::2']), v6)).toBe(true);
    expect(matchesConstraints(parseConstraints(['node.ip==2001:db8::/32']), v6)).toBe(true);
    expect(matchesConstraints(parseConstraints(['node.ip==10.0.0.0/8']), v6)).toBe(false);
  });
});

describe('parseIP', () => {
  it('follows Go: dotted quads without leading zeros, full and compressed IPv6', () => {
    expect(parseIP('1.2.3.4')?.v4).toBe(true);
    expect(parseIP('01.2.3.4')).toBeUndefined();
    expect(parseIP('256.1.1.1')).toBeUndefined();
    expect(parseIP('::1')?.bytes).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIP('1:2:3:4:5:6:7:8')?.bytes.length).toBe(16);
    expect(parseIP('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseIP('1::2::3')).toBeUndefined();
    expect(parseIP('::ffff:1.2.3.4')).toEqual(parseIP('1.2.3.4'));
  });
});

import { describe, expect, it } from 'vitest';
import { parseCertArgs } from './cert-command';

describe('swarmdeck cert arguments', () => {
  it('reads issue and engine requests', () => {
    expect(
      parseCertArgs(['issue', '--name', 'alice', '--role=operator', '--out', 'd', '--expiry-hours', '24']),
    ).toEqual({
      kind: 'issue',
      dataDir: './data',
      out: 'd',
      body: { name: 'alice', role: 'operator', expiryHours: 24 },
    });
    expect(
      parseCertArgs(['engine', '--host', '127.0.0.1,m.example', '--host', '::1', '--out', 'd', '--data-dir', 'x']),
    ).toEqual({
      kind: 'engine',
      dataDir: 'x',
      out: 'd',
      body: { hosts: ['127.0.0.1', 'm.example', '::1'] },
    });
  });

  it('says which flag is missing or wrong', () => {
    expect(() => parseCertArgs(['revoke'])).toThrow('unknown command "cert revoke"');
    expect(() => parseCertArgs(['issue', '--name', 'a', '--role', 'admin'])).toThrow('--out DIR is required');
    expect(() => parseCertArgs(['issue', '--role', 'admin', '--out', 'd'])).toThrow(/--name is required/);
    expect(() => parseCertArgs(['issue', '--name', 'a', '--out', 'd'])).toThrow(/--role is required/);
    expect(() => parseCertArgs(['issue', '--name', 'a', '--role', 'admin', '--out', 'd', '--host', 'h'])).toThrow(
      'unknown flag --host',
    );
    expect(() => parseCertArgs(['engine', '--out', 'd'])).toThrow(/--host is required/);
    expect(() => parseCertArgs(['engine', '--host', 'h', '--out', 'd', '--expiry-hours', '1d'])).toThrow(
      '--expiry-hours: "1d" is not a whole number of hours',
    );
    expect(() => parseCertArgs(['engine', '--host'])).toThrow('--host needs a value');
  });
});

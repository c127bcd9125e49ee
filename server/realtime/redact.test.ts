import { describe, expect, it } from 'vitest';
import type { Cluster } from '../api/types';
import { createRootCA, rootCAFrom, startRotation } from '../ca';
import { redactObject } from './redact';

describe('console redaction of the cluster', () => {
  it('drops the join tokens, the unlock key, every CA key and the blacklist, and keeps the public certificates', async () => {
    const root = rootCAFrom(await createRootCA());
    const rotating = await startRotation(root, await createRootCA(), 1);
    const cluster = {
      ID: 'c1',
      Spec: { Name: 'default', CAConfig: { NodeCertExpiry: 1, SigningCAKey: 'secret-key', SigningCACert: 'x' } },
      JoinTokens: { Worker: 'SWMTKN-1-w', Manager: 'SWMTKN-1-m' },
      RootCA: rotating,
      BlacklistedCertificates: { gone: {} },
      ManagerUnlockKey: 'SWMKEY-1-unlockme',
    } as unknown as Cluster;
    const shown = redactObject('cluster', cluster);
    const text = JSON.stringify(shown);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('SWMTKN');
    expect(text).not.toContain('secret-key');
    expect(text).not.toContain('gone');
    expect(text).not.toContain('SWMKEY');
    expect(shown.RootCA?.CACert).toBe(root.CACert);
    expect(shown.RootCA?.RootRotation?.CrossSignedCACert).toBe(rotating.RootRotation!.CrossSignedCACert);
    expect(shown.Spec.CAConfig).toEqual({ NodeCertExpiry: 1 });
    // the stored object is untouched
    expect(cluster.RootCA?.CAKey).toContain('PRIVATE KEY');
  });
});

import { describe, expect, it } from 'vitest';
import { WORKER_ROLE } from './constants';
import { createCSR, signCSR, signerOf } from './issue';
import { checkNodeChain, desiredIssuer } from './node-certificate';
import { renewalDelayMs, renewalReason } from './renewal';
import { createRootCA } from './root-ca';
import { rootCAFrom, startRotation } from './rotation';

const DAY = 86_400_000;

describe('renewal window', () => {
  const cert = { notBefore: 0, notAfter: 100 * DAY };
  it('falls between 50 % and 80 % of the validity', () => {
    expect(renewalDelayMs(cert, 0, 0)).toBe(50 * DAY);
    expect(renewalDelayMs(cert, 0, 0.999999)).toBeLessThanOrEqual(80 * DAY);
    expect(renewalDelayMs(cert, 0, 0.999999)).toBeGreaterThan(79.9 * DAY);
    expect(renewalDelayMs(cert, 10 * DAY, 0.5)).toBe(55 * DAY);
    for (let i = 0; i < 200; i++) {
      const d = renewalDelayMs(cert, 0, Math.random());
      expect(d).toBeGreaterThanOrEqual(50 * DAY);
      expect(d).toBeLessThanOrEqual(80 * DAY);
    }
  });
  it('is due at once past the window or after expiry', () => {
    expect(renewalDelayMs(cert, 81 * DAY, 0.9)).toBe(0);
    expect(renewalDelayMs(cert, 200 * DAY, 0)).toBe(0);
  });

  it('comes early for a role change or a root rotation', async () => {
    const root = rootCAFrom(await createRootCA());
    const { csr } = await createCSR();
    const chain = await signCSR(signerOf(root), csr, { nodeID: 'n', role: WORKER_ROLE, clusterID: 'c' }, DAY);
    const parsed = await checkNodeChain(chain, root.CACert);
    expect(renewalReason(parsed, { issuer: desiredIssuer(root), role: 'worker' })).toBeUndefined();
    expect(renewalReason(parsed, { role: 'manager' })).toMatch(/role is now manager/);
    const rotating = await startRotation(root, await createRootCA(), 1);
    expect(renewalReason(parsed, { issuer: desiredIssuer(rotating) })).toMatch(/rotating/);
  });
});

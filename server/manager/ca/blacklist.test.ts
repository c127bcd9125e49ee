import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types';
import { blacklistWith, EXPIRED_CERT_GRACE_MS, expireBlacklist } from './blacklist';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('certificate blacklist', () => {
  it('adds a removed node until its certificate has surely expired, and drops entries a week after expiry', () => {
    const cluster = {
      Spec: { CAConfig: { NodeCertExpiry: 2 * 3600e9 } },
      BlacklistedCertificates: {
        old: { Expiry: new Date(NOW - EXPIRED_CERT_GRACE_MS - 1).toISOString() },
        recent: { Expiry: new Date(NOW - DAY).toISOString() },
        unknown: {},
      },
    } as unknown as Cluster;
    const list = blacklistWith(cluster, 'gone', NOW);
    expect(Object.keys(list).sort()).toEqual(['gone', 'recent', 'unknown']);
    // at least the default 90 days, even with a shorter setting now (older certificates may be longer)
    expect(Date.parse(list.gone!.Expiry!)).toBe(NOW + 90 * DAY);
    expect(expireBlacklist(undefined, NOW)).toEqual({});
  });
});

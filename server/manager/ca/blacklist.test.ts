import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types';
import { blacklistWith, EXPIRED_CERT_GRACE_MS, expireBlacklist } from './blacklist';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('certificate blacklist', () => {
  it('adds a removed node until its last certificate expires, and drops entries a week after expiry', () => {
    const cluster = {
      Spec: { CAConfig: { NodeCertExpiry: 2 * 3600e9 } },
      BlacklistedCertificates: {
        old: { Expiry: new Date(NOW - EXPIRED_CERT_GRACE_MS - 1).toISOString() },
        recent: { Expiry: new Date(NOW - DAY).toISOString() },
        unknown: {},
      },
    } as unknown as Cluster;
    // the expiry of the last certificate the CA issued the node, as recorded on it
    const issued = new Date(NOW + 40 * DAY).toISOString();
    const list = blacklistWith(cluster, { ID: 'gone', CertificateNotAfter: issued }, NOW);
    expect(Object.keys(list).sort()).toEqual(['gone', 'recent', 'unknown']);
    expect(list.gone!.Expiry).toBe(issued);
    // none on record: at least the default 90 days, even with a shorter setting now
    expect(Date.parse(blacklistWith(cluster, { ID: 'gone' }, NOW).gone!.Expiry!)).toBe(NOW + 90 * DAY);
    expect(expireBlacklist(undefined, NOW)).toEqual({});
  });
});

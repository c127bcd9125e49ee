// How long the node certificates the CA signs now are valid.

import type { ClusterSpec } from '../../api/types';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../../ca';

/**
 * Test-only: a lifetime in ms that overrides Spec.CAConfig.NodeCertExpiry, so renewal can be watched
 * in seconds. The API never accepts anything under an hour; only this process environment variable,
 * set by the test harness, goes lower.
 */
export const TEST_CERT_EXPIRY_ENV = 'SWARMDECK_TEST_NODE_CERT_EXPIRY_MS';

export function nodeCertExpiryMs(spec: ClusterSpec | undefined, env = process.env): number {
  const test = Number(env[TEST_CERT_EXPIRY_ENV]);
  if (Number.isFinite(test) && test > 0) return test;
  const ns = spec?.CAConfig?.NodeCertExpiry;
  return ns && ns > 0 ? Math.round(ns / 1e6) : DEFAULT_NODE_CERT_EXPIRY_MS;
}

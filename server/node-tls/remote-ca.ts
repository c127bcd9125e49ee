// The first step of a join (swarmkit GetRemoteCA): fetch the swarm's root CA
// over TLS without verifying the manager (the joiner trusts nothing yet), and
// keep it only if it hashes to the digest in the join token. Nothing secret
// travels in this step: no token, no key, no CSR.

import { request } from 'node:https';
import { checkRootBundle, fingerprintMismatch, parseJoinToken, tokenPins } from '../ca';
import { CA_SERVER_NAME, parseAddr } from '../raft/transport';

/** Where a manager serves its root CA bundle on the cluster port (swarmkit GetRootCACertificate). */
export const ROOT_CA_PATH = '/ca';
const MAX_BUNDLE_BYTES = 64 * 1024;

export class RemoteCAError extends Error {}

/** The bundle `addr` serves, unverified. */
export function fetchRootCA(addr: string, timeoutMs = 5_000): Promise<string> {
  const { host, port } = parseAddr(addr);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: ROOT_CA_PATH,
        method: 'GET',
        servername: CA_SERVER_NAME,
        // the digest in the token, not the certificate, is what makes this answer trustworthy
        rejectUnauthorized: false,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body.length > MAX_BUNDLE_BYTES)
            req.destroy(new RemoteCAError(`the root CA answer from ${addr} is too large`));
        });
        res.on('end', () => {
          let parsed: { Certificate?: unknown; message?: unknown } = {};
          try {
            parsed = JSON.parse(body) as typeof parsed;
          } catch {
            // not JSON: reported below
          }
          if (res.statusCode === 200 && typeof parsed.Certificate === 'string') return resolve(parsed.Certificate);
          const why = typeof parsed.message === 'string' ? parsed.message : `HTTP ${res.statusCode}`;
          reject(new RemoteCAError(`could not get the root CA from ${addr}: ${why}`));
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new RemoteCAError(`could not get the root CA from ${addr}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', (err) =>
      reject(
        err instanceof RemoteCAError
          ? err
          : new RemoteCAError(`could not get the root CA from ${addr}: ${err.message}`),
      ),
    );
    req.end();
  });
}

/**
 * The swarm's root CA as the join token pins it: throws `invalid join token` for a malformed token and
 * swarm's fingerprint error when the manager at `addr` serves another root.
 */
export async function pinnedRootCA(addr: string, token: string, timeoutMs?: number): Promise<string> {
  const parsed = parseJoinToken(token);
  const bundle = await fetchRootCA(addr, timeoutMs);
  if (!tokenPins(parsed, bundle)) throw new RemoteCAError(fingerprintMismatch(parsed.rootDigest));
  try {
    await checkRootBundle(bundle);
  } catch (err) {
    throw new RemoteCAError(`invalid root CA from ${addr}: ${(err as Error).message}`);
  }
  return bundle;
}

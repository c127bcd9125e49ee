import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCSR,
  createRootCA,
  joinTokenFor,
  MANAGER_ROLE,
  parseJoinToken,
  rootCAFrom,
  signCSR,
  signerOf,
} from '../ca';
import { pinnedRootCA } from './remote-ca';

let server: Server;
let addr = '';
let served = '';
const seen: { url?: string; auth?: string }[] = [];

beforeAll(async () => {
  const root = rootCAFrom(await createRootCA());
  served = root.CACert;
  const { csr, key } = await createCSR();
  const cert = await signCSR(signerOf(root), csr, { nodeID: 'm', role: MANAGER_ROLE, clusterID: 'c' }, 3_600_000);
  server = createServer({ key, cert }, (req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ Certificate: served }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('pinning the root CA at join', () => {
  it("takes the root its token's digest names, asking with nothing secret", async () => {
    await expect(pinnedRootCA(addr, joinTokenFor(served))).resolves.toBe(served);
    expect(seen.at(-1)).toEqual({ url: '/ca', auth: undefined });
  });

  it("refuses another root with swarm's fingerprint error, and a malformed token before any request", async () => {
    const other = await createRootCA();
    const token = joinTokenFor(other.cert);
    await expect(pinnedRootCA(addr, token)).rejects.toThrow(
      `remote CA does not match fingerprint. Expected: ${parseJoinToken(token).rootDigest}`,
    );
    const before = seen.length;
    await expect(pinnedRootCA(addr, 'SWMTKN-1-short-x')).rejects.toThrow(/^invalid join token$/);
    expect(seen.length).toBe(before);
  });

  it('says which manager could not be reached', async () => {
    await expect(pinnedRootCA('127.0.0.1:1', joinTokenFor(served), 2_000)).rejects.toThrow(
      /could not get the root CA from 127\.0\.0\.1:1/,
    );
  });
});

import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Node, RootCA } from '../api/types';
import { MANAGER_ROLE } from './constants';
import { createCSR, signCSR, signerOf } from './issue';
import { joinTokenFor, parseJoinToken, tokenPins } from './join-token';
import { checkNodeChain, clusterTLSInfo, nodeTLSInfo } from './node-certificate';
import { createRootCA } from './root-ca';
import { CAConfigError, finishRotation, nextRootCA, rootCAFrom, rotationConverged, startRotation } from './rotation';

const HOUR = 3_600_000;

async function issue(root: RootCA, nodeID: string) {
  const { csr, key } = await createCSR();
  const chain = await signCSR(signerOf(root), csr, { nodeID, role: MANAGER_ROLE, clusterID: 'c' }, HOUR);
  return { chain, key };
}

const node = (id: string, tls?: Node['Description']['TLSInfo']): Node =>
  ({ ID: id, Description: { Hostname: id, TLSInfo: tls } }) as unknown as Node;

describe('root rotation', () => {
  it('keeps the root while ForceRotate is unchanged, and starts a cross-signed rotation when it moves', async () => {
    const root = rootCAFrom(await createRootCA());
    expect(await nextRootCA(root, { ForceRotate: 0 })).toBe(root);
    const rotating = await nextRootCA(root, { ForceRotate: 1 });
    expect(rotating.CACert).toBe(root.CACert);
    expect(rotating.LastForcedRotation).toBe(1);
    const r = rotating.RootRotation!;
    const [oldRoot, newRoot, cross] = [root.CACert, r.CACert, r.CrossSignedCACert].map((p) => new X509Certificate(p));
    expect(newRoot!.subject).toBe('CN=swarm-ca');
    expect(cross!.subject).toBe(newRoot!.subject);
    expect(cross!.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      newRoot!.publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(cross!.verify(oldRoot!.publicKey)).toBe(true);
    expect(cross!.validTo).toBe(newRoot!.validTo);
    // a second --rotate while one runs starts over from the current root
    const again = await nextRootCA(rotating, { ForceRotate: 2 });
    expect(again.RootRotation!.CACert).not.toBe(r.CACert);
    expect(new X509Certificate(again.RootRotation!.CrossSignedCACert).verify(oldRoot!.publicKey)).toBe(true);
  });

  it('issues during the rotation certificates that both the old and the new root verify', async () => {
    const root = rootCAFrom(await createRootCA());
    const rotating = await startRotation(root, await createRootCA(), 1);
    const { chain, key } = await issue(rotating, 'm1');
    expect(chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2); // leaf + cross-signed intermediate
    const viaOld = await checkNodeChain(chain, root.CACert, key);
    const viaNew = await checkNodeChain(chain, rotating.RootRotation!.CACert, key);
    expect(viaOld.issuer).toEqual(viaNew.issuer);
    // the issuer the cluster asks for is the new root's
    const want = clusterTLSInfo(rotating);
    expect(want.TrustRoot).toBe(root.CACert);
    expect(nodeTLSInfo(viaOld, root.CACert)).toEqual(want);
    // a certificate from before the rotation does not match it any more
    const before = await checkNodeChain((await issue(root, 'm2')).chain, root.CACert);
    expect(nodeTLSInfo(before, root.CACert)).not.toEqual(want);
  });

  it('converges once every node reports the new issuer, then drops the old root and changes the tokens', async () => {
    const root = rootCAFrom(await createRootCA());
    const rotating = await startRotation(root, await createRootCA(), 1);
    const renewed = nodeTLSInfo(await checkNodeChain((await issue(rotating, 'a')).chain, root.CACert), root.CACert);
    const stale = nodeTLSInfo(await checkNodeChain((await issue(root, 'b')).chain, root.CACert), root.CACert);
    expect(rotationConverged(rotating, [node('a', renewed), node('b', stale)])).toBe(false);
    expect(rotationConverged(rotating, [node('a', renewed), node('c')])).toBe(false);
    expect(rotationConverged(rotating, [node('a', renewed), node('b', renewed)])).toBe(true);
    expect(rotationConverged(root, [node('a', renewed)])).toBe(false); // nothing to converge

    const done = finishRotation(rotating);
    expect(done.RootRotation).toBeUndefined();
    expect(done.CACert).toBe(rotating.RootRotation!.CACert);
    expect(done.CAKey).toBe(rotating.RootRotation!.CAKey);
    expect(done.LastForcedRotation).toBe(1);
    const oldToken = parseJoinToken(joinTokenFor(root.CACert));
    expect(tokenPins(oldToken, done.CACert)).toBe(false);
    expect(tokenPins(parseJoinToken(joinTokenFor(done.CACert)), done.CACert)).toBe(true);
    // certificates issued during the rotation verify against the new root alone
    const { chain } = await issue(rotating, 'x');
    await expect(checkNodeChain(chain, done.CACert)).resolves.toBeDefined();
    // and the old root no longer verifies what the new one issues directly
    await expect(checkNodeChain((await issue(done, 'y')).chain, root.CACert)).rejects.toThrow(/unknown authority/);
  });

  it("rotates to a given cert and key, with swarmkit's refusals", async () => {
    const root = rootCAFrom(await createRootCA());
    const given = await createRootCA();
    const rotating = await nextRootCA(root, { ForceRotate: 0, SigningCACert: given.cert, SigningCAKey: given.key });
    expect(rotating.RootRotation?.CACert).toBe(given.cert);
    const bad = (cfg: Parameters<typeof nextRootCA>[1]) =>
      expect(nextRootCA(root, cfg)).rejects.toBeInstanceOf(CAConfigError);
    await bad({ SigningCAKey: given.key });
    await bad({ SigningCACert: given.cert });
    await bad({ SigningCACert: 'junk', SigningCAKey: given.key });
    await bad({ SigningCACert: given.cert, SigningCAKey: root.CAKey });
    await bad({ SigningCACert: given.cert + given.cert, SigningCAKey: given.key });
    await expect(nextRootCA(root, { SigningCACert: root.CACert, SigningCAKey: root.CAKey })).resolves.toMatchObject({
      CACert: root.CACert,
    });
    // going back to the current root abandons the rotation
    const back = await nextRootCA(rotating, { SigningCACert: root.CACert, SigningCAKey: root.CAKey, ForceRotate: 0 });
    expect(back.RootRotation).toBeUndefined();
  });
});

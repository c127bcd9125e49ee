// The one door to @peculiar/x509 (Node's crypto parses and verifies
// certificates but cannot make or sign them). Its DI container needs the
// Reflect metadata polyfill loaded before it: keep that import first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

export { x509 };

const subtle = webcrypto.subtle;
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** swarmkit's key choice for the root and every node: ECDSA P-256, signatures with SHA-256. */
export const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM (what Node's TLS and the data dir take). */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return pemBlock(der, 'PRIVATE KEY');
}

/** The signing key inside a PKCS#8 PEM. */
export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) => b.type === 'PRIVATE KEY');
  if (blocks.length !== 1) throw new Error('not a PKCS#8 private key');
  return subtle.importKey('pkcs8', blocks[0]!.rawData, EC_ALGORITHM, true, ['sign']);
}

/** The public half of a private key, as SPKI DER (to compare with a certificate's key). */
export async function publicKeyOf(privateKey: CryptoKey): Promise<Buffer> {
  const jwk = await subtle.exportKey('jwk', privateKey);
  const { d: _d, key_ops: _ops, ...pub } = jwk;
  const key = await subtle.importKey('jwk', { ...pub, key_ops: ['verify'] }, EC_ALGORITHM, true, ['verify']);
  return Buffer.from(await subtle.exportKey('spki', key));
}

export function pemBlock(der: ArrayBuffer | Uint8Array, type: string): string {
  return x509.PemConverter.encode(der instanceof Uint8Array ? new Uint8Array(der) : der, type) + '\n';
}

/** One certificate as PEM, ending in a newline so bundles are plain concatenations. */
export function certPem(cert: x509.X509Certificate): string {
  return pemBlock(cert.rawData, 'CERTIFICATE');
}

/** Every certificate in a PEM bundle, in order; throws on anything that is not one. */
export function parseCertificates(pem: string): x509.X509Certificate[] {
  const blocks = x509.PemConverter.decodeWithHeaders(pem);
  if (blocks.length === 0) throw new Error('no certificate found');
  return blocks.map((b) => {
    if (b.type !== 'CERTIFICATE') throw new Error(`expected a CERTIFICATE, found ${b.type}`);
    return new x509.X509Certificate(b.rawData);
  });
}

/** Re-encode a bundle the same way every time (swarmkit NormalizePEMs): digests compare bytes. */
export function normalizePems(pem: string): string {
  return parseCertificates(pem).map(certPem).join('');
}

/** A random positive serial number (hex), as swarmkit's signer draws one. */
export function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

export const toBuffer = (b: ArrayBuffer): Buffer => Buffer.from(new Uint8Array(b));

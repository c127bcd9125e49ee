// Signing one end-entity certificate under the swarm CA: what node, client and
// Engine API server certificates share (issuer, serial, validity window, the
// key identifiers, a non-CA basic constraint, the signer's chain appended).
import type { Signer } from './issue';
import { certPem, EC_ALGORITHM, importPrivateKey, parseCertificates, serialNumber, x509 } from './x509';

type CreateParams = Parameters<typeof x509.X509CertificateGenerator.create>[0];

export interface LeafRequest {
  /** Relative distinguished names, outermost first (`[{O}, {OU}, {CN}]`). */
  subject: NonNullable<CreateParams['subject']>;
  publicKey: x509.PublicKey | CryptoKey;
  notBefore: Date;
  notAfter: Date;
  keyUsage: x509.KeyUsageFlags;
  extendedKeyUsage: x509.ExtendedKeyUsage[];
  /** Subject alternative names, when the certificate names hosts. */
  altNames?: { type: 'dns' | 'ip'; value: string }[];
}

/** The signed leaf followed by the signer's intermediates (PEM), as every issuer returns it. */
export async function signLeaf(signer: Signer, req: LeafRequest): Promise<string> {
  const [issuer] = parseCertificates(signer.cert);
  if (!issuer) throw new Error('the CA has no signing certificate');
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: req.subject,
    issuer: issuer.subjectName,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    publicKey: req.publicKey,
    signingKey: await importPrivateKey(signer.key),
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(req.keyUsage, true),
      new x509.ExtendedKeyUsageExtension(req.extendedKeyUsage),
      ...(req.altNames ? [new x509.SubjectAlternativeNameExtension(req.altNames)] : []),
      await x509.SubjectKeyIdentifierExtension.create(req.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  return certPem(leaf) + signer.intermediates;
}

// swarm's PKI: the root CA, node certificates, join tokens, renewal and root rotation.
// Pure library code (certificates in, certificates out); no store, transport or disk.
export * from './constants';
export { createCSR, signCSR, signerOf, CSRError, type KeyAndCSR, type NodeSubject, type Signer } from './issue';
export {
  checkNodeChain,
  clusterTLSInfo,
  desiredIssuer,
  nodeTLSInfo,
  CertificateError,
  type NodeCertificate,
} from './node-certificate';
export {
  fingerprintMismatch,
  INVALID_JOIN_TOKEN_FORMAT,
  joinTokenFor,
  parseJoinToken,
  tokenPins,
  type ParsedJoinToken,
} from './join-token';
export { renewalDelayMs, renewalReason } from './renewal';
export { bundleDigest, checkRootBundle, createRootCA, crossSignRoot, type CAKeyPair } from './root-ca';
export { CAConfigError, finishRotation, nextRootCA, rootCAFrom, rotationConverged, startRotation } from './rotation';

// This process's TLS identity on the cluster port: kept on disk, pinned at
// join, renewed in time, handed to the transport.
export { certDir, readCertFiles, writeCertFiles, removeCertFiles } from './cert-files';
export { beginJoin, completeJoin, JoinAnswerError, type PendingJoin } from './join';
export { NodeCredentials } from './node-credentials';
export { fetchRootCA, pinnedRootCA, RemoteCAError, ROOT_CA_PATH } from './remote-ca';
export { CertificateRenewer, type CAWant, type RenewerOptions } from './renewer';
export { ACCEPT_NOBODY, nodeSecurity, type AcceptPolicy } from './security';
export { isRenewAnswer, isRenewRequest, renewRequest, type RenewAnswer, type RenewRequest } from './ca-wire';

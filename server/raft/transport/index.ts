// The cluster transport: raft and RPCs between managers and agents over the cluster port (mutual TLS).
export {
  ClusterTransport,
  DEFAULT_TRANSPORT_LIMITS,
  RequestError,
  type ClusterTransportOptions,
  type MessageHandler,
  type PeerStatus,
  type RequestErrorKind,
  type RequestHandler,
  type TransportLimits,
} from './cluster-transport';
export {
  INVALID_JOIN_TOKEN,
  MANAGER_OU,
  WORKER_OU,
  WORKER_TOKEN_FOR_MEMBER_LINK,
  denied,
  type TlsMaterial,
  type TransportSecurity,
} from './handshake';
export { DialError } from './dial';
export { FrameTooLargeError, DEFAULT_MAX_FRAME_BYTES } from './frames';
export { consoleTransportLogger, silentTransportLogger, type TransportLogger } from './logger';
export {
  CA_SERVER_NAME,
  MANAGER_SERVER_NAME,
  parseAddr,
  tcpSocketFactory,
  tlsSocketFactory,
  type SocketFactory,
} from './socket-factory';
export { createClusterServer } from './tls-server';
export { CLUSTER_PROTOCOL, type PeerIdentity } from './wire';

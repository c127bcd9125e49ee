// The raft transport: manager-to-manager connections over the cluster port.
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
export { INVALID_JOIN_TOKEN, type AcceptPolicy, type DialCredentials, type TransportCredentials } from './handshake';
export { DialError } from './dial';
export { FrameTooLargeError, DEFAULT_MAX_FRAME_BYTES } from './frames';
export { consoleTransportLogger, silentTransportLogger, type TransportLogger } from './logger';
export { tcpSocketFactory, parseAddr, type SocketFactory } from './socket-factory';
export { CLUSTER_PROTOCOL, type PeerIdentity } from './wire';

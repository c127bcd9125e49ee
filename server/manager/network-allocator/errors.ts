// Every text the network allocator can answer with, in one place, worded as
// swarmkit, libnetwork's IPAM and dockerd word them (sources beside each).
// `code` is the gRPC code swarmkit would attach, which the Engine API maps to
// an HTTP status (InvalidArgument 400, AlreadyExists 409, FailedPrecondition 400).

export type AllocCode = 'InvalidArgument' | 'FailedPrecondition' | 'ResourceExhausted' | 'AlreadyExists';

export class AllocError extends Error {
  constructor(
    readonly code: AllocCode,
    message: string,
  ) {
    super(message);
    this.name = 'AllocError';
  }
}

// dockerd daemon/cluster validateDefaultAddrPool (swarm init --default-addr-pool / --default-addr-pool-mask-length)
export const subnetSizeOutOfRange = (size: number) => `subnet size is out of range: ${size}`;
export const invalidBasePool = (pool: string, why: string) => `invalid base pool ${pool}: ${why}`;
export const subnetSizeTooSmall = (pool: string, size: number) =>
  `invalid CIDR: "${pool}". Subnet size is too small for pool: ${size}`;
// Swarmdeck's overlay is IPv4 only (said, rather than Go's "invalid CIDR address" for a valid IPv6 pool)
export const IPV6_POOL_UNSUPPORTED = 'IPv6 pools are not supported';

// swarmkit manager/controlapi/network.go validateIPAMConfiguration
export const ipamInvalidSubnet = (s: string) => `ipam configuration: invalid subnet ${s}`;
export const ipamInvalidRange = (r: string) => `ipam configuration: invalid range ${r}`;
export const ipamRangeOutside = (s: string, r: string) => `ipam configuration: subnet ${s} does not contain range ${r}`;
export const ipamInvalidGateway = (g: string) => `ipam configuration: invalid gateway ${g}`;
export const ipamGatewayOutside = (s: string, g: string) =>
  `ipam configuration: subnet ${s} does not contain gateway ${g}`;

// libnetwork ipamapi/contract.go and ipams/defaultipam (RequestPool wraps allocateSubnet's error)
export const POOL_OVERLAP = 'invalid pool request: Pool overlaps with other one on this address space';
export const NO_MORE_SUBNETS = 'all predefined address pools have been fully subnetted';
export const NO_AVAILABLE_IPS = 'no available addresses on this pool';
export const IP_ALREADY_ALLOCATED = 'Address already in use';
export const IP_OUT_OF_RANGE = 'requested address is out of range';

// libnetwork cnmallocator/networkallocator.go allocateVIP / allocateNetworkIPs / AllocateTask
export const NO_IP_FOR_VIP = 'could not find an available IP while allocating VIP';
export const NO_IP = 'could not find an available IP';
export const taskIPFailed = (taskID: string, networkID: string, why: string) =>
  `failed to allocate network IP for task ${taskID} network ${networkID}: ${why}`;
// swarmkit logs node LB allocation failures per node and network; the same shape as the task's
export const nodeIPFailed = (nodeID: string, networkID: string, why: string) =>
  `failed to allocate network IP for node ${nodeID} network ${networkID}: ${why}`;

// ovmanager (VXLAN IDs) and swarmkit's idm (dynamic published ports): bitmap exhaustion
export const NO_BIT_AVAILABLE = 'no bit available';
export const BIT_ALREADY_ALLOCATED = 'requested bit is already allocated';
export const dynamicPortsExhausted = (service: string) =>
  `could not allocate a published port for service ${service}: ${NO_BIT_AVAILABLE} in the dynamic range 30000-32767`;

// swarmkit manager/controlapi/service.go checkPortConflicts
export const portInUseIngress = (port: number, service: string, serviceID: string) =>
  `port '${port}' is already in use by service '${service}' (${serviceID}) as an ingress port`;
export const portInUseHost = (port: number, service: string, serviceID: string) =>
  `port '${port}' is already in use by service '${service}' (${serviceID}) as a host-published port`;

// swarmkit manager/controlapi/network.go (ingress rules)
export const ingressAlreadyPresent = (id: string) => `ingress network (${id}) is already present`;
export const INGRESS_NOT_ATTACHABLE = 'ingress network cannot be attachable';
// swarmkit allocator allocateService: a service publishing ingress ports before ingress exists
export const INGRESS_MISSING = 'ingress network is missing';
// allocator state lookups (cnmallocator allocateVIP: "networkallocator: could not find local network state")
export const NO_LOCAL_NETWORK_STATE = 'networkallocator: could not find local network state';
// cnmallocator allocateNetworkIPs
export const noNetworkState = (id: string) => `could not find network allocator state for network ${id}`;

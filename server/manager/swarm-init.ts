// `docker swarm init`'s request, checked as dockerd checks it (daemon/cluster
// swarm.go Init, listen_addr.go) and turned into what the new swarm is made
// with. Pure: the caller says which addresses this process already listens
// on and advertises, and which interfaces the host has.

import { isIP } from 'node:net';
import { SwarmError } from '../api/errors';
import type { ClusterSpec, NodeAvailability } from '../api/types';
import { validateDefaultAddrPool } from './network-allocator/address-pool';
import { AllocError } from './network-allocator/errors';

/** The parts of `POST /swarm/init` (moby InitRequest) that shape the new swarm. */
export interface InitRequestBody {
  ListenAddr?: string;
  AdvertiseAddr?: string;
  DataPathAddr?: string;
  DataPathPort?: number;
  Spec?: ClusterSpec;
  AutoLockManagers?: boolean;
  Availability?: NodeAvailability;
  DefaultAddrPool?: string[];
  SubnetSize?: number;
}

/** What the swarm is founded with (defaults where the request is silent). */
export interface InitSettings {
  /** Non-zero fields of the request's spec, laid over swarmkit's defaults (dockerd initClusterSpec). */
  spec?: ClusterSpec;
  defaultAddrPool?: string[];
  subnetSize?: number;
  dataPathPort?: number;
  dataPathAddr?: string;
  availability?: NodeAvailability;
  /** `--autolock`: the swarm starts with an unlock key, and its managers' keys are locked by it. */
  autolock?: boolean;
}

/** Where this process is reachable: fixed by its own flags before any `swarm init`. */
export interface ProcessAddrs {
  listenHost: string;
  advertiseHost: string;
  clusterPort: number;
  /** Interface name → its addresses (os.networkInterfaces()), for `--advertise-addr eth0`. */
  interfaces: Record<string, string[]>;
}

/** The CLI sends this listen address when `--listen-addr` is not given. */
export const CLI_DEFAULT_LISTEN_ADDR = '0.0.0.0:2377';
export const DEFAULT_DATA_PATH_PORT = 4789;

// dockerd daemon/cluster/listen_addr.go
export const BAD_LISTEN_ADDR = 'listen address must be an IP address or network interface (with optional port number)';
export const BAD_ADVERTISE_ADDR =
  'advertise address must be a non-zero IP address or network interface (with optional port number)';
export const BAD_DATA_PATH_ADDR =
  'data path address must be a non-zero IP address or network interface (without a port number)';
export const dataPathPortOutOfRange = (port: number) =>
  `Datapath port number is not in valid range (1024-49151) : ${port}`;
// Swarmdeck's own refusals: a flag it cannot honour is refused, never ignored
export const EXTERNAL_CA_UNSUPPORTED =
  'an external CA is not supported by Swarmdeck yet: the swarm signs node certificates with its own root CA; init without --external-ca';
export const listenAddrFixed = (addr: string, own: string) =>
  `listen address ${addr}: this process listens for the swarm on ${own}, set when it started (--listen-host, --cluster-port); start it with those to listen elsewhere`;
export const advertiseAddrFixed = (addr: string, own: string) =>
  `advertise address ${addr}: this process advertises ${own}, set when it started (--advertise-addr, --cluster-port); start it with those to advertise another address`;

const invalid = (message: string) => new SwarmError('InvalidArgument', message);

/** host and port of `host[:port]` (IPv6 in brackets); port undefined when absent. */
export function splitHostPort(addr: string): { host: string; port?: string } {
  const m = /^\[([^\]]+)\](?::(\d*))?$/.exec(addr) ?? /^([^:]*):(\d*)$/.exec(addr);
  if (m) return { host: m[1]!, port: m[2] };
  return { host: addr };
}

const isIPv4 = (s: string) => isIP(s) === 4;
const isIPv6 = (s: string) => isIP(s) === 6;
const isUnspecified = (s: string) => s === '0.0.0.0' || /^[0:]+$/.test(s);

/** dockerd resolveInputIPAddr: an interface's address, else an IP; undefined when neither. */
export function resolveInputIPAddr(
  input: string,
  unspecifiedOK: boolean,
  interfaces: Record<string, string[]>,
): string | undefined {
  const own = interfaces[input];
  if (own) {
    const v4 = own.filter(isIPv4);
    if (v4.length > 1) throw invalid(`interface ${input} has more than one IPv4 address (${v4[0]} and ${v4[1]})`);
    if (v4.length === 1) return v4[0];
    const v6 = own.filter(isIPv6);
    if (v6.length > 1) throw invalid(`interface ${input} has more than one IPv6 address (${v6[0]} and ${v6[1]})`);
    if (v6.length === 1) return v6[0];
    throw invalid(`interface ${input} has no usable IPv4 or IPv6 address`);
  }
  if ((isIPv4(input) || isIPv6(input)) && (unspecifiedOK || !isUnspecified(input))) return input;
  return undefined;
}

function checkListenAddr(addr: string, p: ProcessAddrs): void {
  const { host, port } = splitHostPort(addr);
  if (port === undefined) throw invalid(`could not parse listen address ${addr}`);
  const ip = resolveInputIPAddr(host, true, p.interfaces);
  if (ip === undefined) throw invalid(BAD_LISTEN_ADDR);
  if (addr === CLI_DEFAULT_LISTEN_ADDR) return; // sent whether or not the flag was given
  const samePort = port === '' || Number(port) === p.clusterPort;
  if (!samePort || !(isUnspecified(ip) || ip === p.listenHost))
    throw invalid(listenAddrFixed(addr, `${p.listenHost}:${p.clusterPort}`));
}

function checkAdvertiseAddr(addr: string, p: ProcessAddrs): void {
  const { host, port } = splitHostPort(addr);
  const ip = resolveInputIPAddr(host, false, p.interfaces);
  if (ip === undefined) throw invalid(BAD_ADVERTISE_ADDR);
  if (ip !== p.advertiseHost || (port !== undefined && port !== '' && Number(port) !== p.clusterPort))
    throw invalid(advertiseAddrFixed(addr, `${p.advertiseHost}:${p.clusterPort}`));
}

/** dockerd getDataPathPort: 0 means 4789; else 1024-49151. */
export function dataPathPort(port: number | undefined): number {
  if (!port) return DEFAULT_DATA_PATH_PORT;
  if (port < 1024 || port > 49151) throw invalid(dataPathPortOutOfRange(port));
  return port;
}

/** The request's non-zero spec fields over `base` (dockerd MergeSwarmSpecToGRPC at init). */
export function mergeInitSpec(base: ClusterSpec, req: ClusterSpec | undefined): ClusterSpec {
  if (!req) return base;
  const set = <T extends object>(b: T, r: Partial<T> | undefined): T => {
    const out = { ...b };
    for (const [k, v] of Object.entries(r ?? {}))
      if (v !== undefined && v !== 0 && v !== '' && v !== null) (out as Record<string, unknown>)[k] = v;
    return out;
  };
  return {
    ...base,
    Labels: Object.keys(req.Labels ?? {}).length > 0 ? req.Labels : base.Labels,
    Orchestration: set(base.Orchestration, req.Orchestration),
    Raft: set(base.Raft, req.Raft),
    Dispatcher: set(base.Dispatcher, req.Dispatcher),
    CAConfig: set(base.CAConfig, { NodeCertExpiry: req.CAConfig?.NodeCertExpiry }),
    TaskDefaults: req.TaskDefaults?.LogDriver ? req.TaskDefaults : base.TaskDefaults,
  };
}

/** The request checked in dockerd's order; throws InvalidArgument (400) with dockerd's text. */
export function initSettings(req: InitRequestBody, p: ProcessAddrs): InitSettings {
  if ((req.Spec?.CAConfig?.ExternalCAs ?? []).length > 0) throw invalid(EXTERNAL_CA_UNSUPPORTED);
  checkListenAddr(req.ListenAddr || CLI_DEFAULT_LISTEN_ADDR, p);
  if (req.AdvertiseAddr) checkAdvertiseAddr(req.AdvertiseAddr, p);
  let dataPathAddr: string | undefined;
  if (req.DataPathAddr) {
    dataPathAddr = resolveInputIPAddr(req.DataPathAddr, false, p.interfaces);
    if (dataPathAddr === undefined) throw invalid(BAD_DATA_PATH_ADDR);
  }
  let pools: string[] | undefined;
  try {
    pools = validateDefaultAddrPool(req.DefaultAddrPool, req.SubnetSize);
  } catch (err) {
    if (err instanceof AllocError) throw invalid(err.message);
    throw err;
  }
  const out: InitSettings = { dataPathPort: dataPathPort(req.DataPathPort) };
  if (pools && pools.length > 0) {
    out.defaultAddrPool = pools;
    out.subnetSize = req.SubnetSize || 24;
  }
  if (dataPathAddr) out.dataPathAddr = dataPathAddr;
  if (req.Availability) out.availability = req.Availability;
  // dockerd sends the flag as AutoLockManagers; a spec saying so is honoured the same way
  if (req.AutoLockManagers || req.Spec?.EncryptionConfig?.AutoLockManagers) out.autolock = true;
  if (req.Spec) out.spec = req.Spec;
  return out;
}

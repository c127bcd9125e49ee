// network.CreateRequest (moby api/types/network/network.go) as dockerd takes
// it on `POST /networks/create`: Go's decoder first (parseNetworkCreate), then,
// once the name is known not to clash, the daemon's own checks before it
// hands a swarm-scoped network to the manager (networkSpecFromCreate:
// daemon/network.go createNetwork, ValidateIPAM in api/types/network/ipam.go,
// libnetwork's NewNetwork), ending in the swarm NetworkSpec dockerd builds
// (daemon/cluster/convert BasicNetworkCreateToGRPC). Swarmdeck has no local
// networks, so whatever would make one is refused with a plain reason.

import { isIPv6 } from 'node:net';
import { SwarmError } from '../errors';
import type { Network } from '../types';
import { goBool, goMap, goSlice, goString, goStruct } from './go-json';
import { parseOrThrow } from './issues';
import { goLabels } from './labels';

const ipamConfigSchema = goStruct(
  'IPAMConfig',
  {
    Subnet: goString().optional(),
    IPRange: goString().optional(),
    Gateway: goString().optional(),
    AuxiliaryAddresses: goMap(goString()).optional(),
  },
  { pkg: 'network' },
);

const ipamSchema = goStruct(
  'IPAM',
  {
    Driver: goString().optional(),
    Options: goMap(goString()).optional(),
    Config: goSlice(ipamConfigSchema).optional(),
  },
  { pkg: 'network' },
);

const OPTIONS = 'CreateOptions';

export const networkCreateSchema = goStruct(
  'CreateRequest',
  {
    Name: goString().optional(),
    CheckDuplicate: goBool().optional(),
    Driver: goString().optional(),
    Scope: goString().optional(),
    EnableIPv4: goBool().optional(),
    EnableIPv6: goBool().optional(),
    IPAM: ipamSchema.optional(),
    Internal: goBool().optional(),
    Attachable: goBool().optional(),
    Ingress: goBool().optional(),
    ConfigOnly: goBool().optional(),
    ConfigFrom: goStruct('ConfigReference', { Network: goString().optional() }, { pkg: 'network' }).optional(),
    Options: goLabels('Options').optional(),
    Labels: goLabels('Labels').optional(),
  },
  {
    pkg: 'network',
    embedded: Object.fromEntries(
      [
        'Driver',
        'Scope',
        'EnableIPv4',
        'EnableIPv6',
        'IPAM',
        'Internal',
        'Attachable',
        'Ingress',
        'ConfigOnly',
        'ConfigFrom',
        'Options',
        'Labels',
      ].map((f) => [f, OPTIONS]),
    ),
  },
);

export type NetworkCreateRequest = ReturnType<typeof networkCreateSchema.parse>;

/** The body, decoded as Go decodes it (an empty body is moby's `got EOF`). */
export function parseNetworkCreate(input: unknown): NetworkCreateRequest {
  return parseOrThrow(networkCreateSchema, input, 'network.CreateRequest');
}

/** daemon/network IsPredefined on Linux: the names a daemon keeps for itself. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none', 'default'];

export function isPredefinedNetwork(name: string): boolean {
  return PREDEFINED_NETWORKS.includes(name);
}

const ENABLE_IPV4_OPT = 'com.docker.network.enable_ipv4';
const ENABLE_IPV6_OPT = 'com.docker.network.enable_ipv6';

const GO_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

const invalid = (message: string) => new SwarmError('InvalidArgument', message);

/** An `EnableIPv4/6` field, or else its driver option (strconv.ParseBool); the option is dropped when the field is set. */
function ipFamilyFlag(field: boolean | undefined, options: Record<string, string>, opt: string, dflt: boolean) {
  if (field !== undefined) {
    delete options[opt];
    return field;
  }
  const v = options[opt];
  if (v === undefined) return dflt;
  if (GO_TRUE.has(v)) return true;
  if (GO_FALSE.has(v)) return false;
  throw invalid(`driver-opt ${JSON.stringify(opt)} is not a valid bool`);
}

// ---- netip.ParsePrefix / ParseAddr, IPv4 exactly, IPv6 recognised ----

interface Prefix4 {
  family: 'IPv4';
  addr: number;
  bits: number;
}
type Prefix = Prefix4 | { family: 'IPv6' };

function parseAddr4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function parseAddr(s: string): { family: 'IPv4'; addr: number } | { family: 'IPv6' } | undefined {
  const v4 = parseAddr4(s);
  if (v4 !== undefined) return { family: 'IPv4', addr: v4 };
  return isIPv6(s) ? { family: 'IPv6' } : undefined;
}

function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d?\d?)$/.test(bits)) return undefined;
  const addr = parseAddr(s.slice(0, slash));
  if (!addr) return undefined;
  if (addr.family === 'IPv6') return Number(bits) <= 128 ? addr : undefined;
  return Number(bits) <= 32 ? { family: 'IPv4', addr: addr.addr, bits: Number(bits) } : undefined;
}

const size = (bits: number) => 2 ** (32 - bits);
const masked = (p: Prefix4): Prefix4 => ({ ...p, addr: p.addr - (p.addr % size(p.bits)) });
const fmt4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const fmtPrefix = (p: Prefix4) => `${fmt4(p.addr)}/${p.bits}`;
const containsAddr = (p: Prefix4, a: number) => a >= masked(p).addr && a < masked(p).addr + size(p.bits);
const overlapsPrefix = (a: Prefix4, b: Prefix4) => containsAddr(a, masked(b).addr) || containsAddr(b, masked(a).addr);

function addressProblem(address: string, subnet: Prefix4): string | undefined {
  if (address === '') return undefined;
  const a = parseAddr(address);
  if (!a) return 'invalid address';
  if (a.family !== 'IPv4') return 'parent subnet is an IPv4 block';
  if (!containsAddr(subnet, a.addr)) return `parent subnet ${fmtPrefix(subnet)} doesn't contain this address`;
  return undefined;
}

type IPAMConfigInput = NonNullable<NonNullable<NetworkCreateRequest['IPAM']>['Config']>[number];

/** ValidateIPAM for one IPv4 config. */
function ipamConfigProblems(cfg: IPAMConfigInput): string[] {
  const subnetText = cfg.Subnet ?? '';
  const subnet = parsePrefix(subnetText);
  if (!subnet) return [`invalid subnet ${subnetText}: invalid CIDR block notation`];
  // dockerd skips IPv6 subnets unless IPv6 is on; Swarmdeck refuses both further on
  if (subnet.family === 'IPv6') return [];
  const errs: string[] = [];
  if (masked(subnet).addr !== subnet.addr)
    errs.push(`invalid subnet ${fmtPrefix(subnet)}: it should be ${fmtPrefix(masked(subnet))}`);
  const range = cfg.IPRange ?? '';
  if (range !== '') {
    const r = parsePrefix(range);
    if (!r) errs.push(`invalid ip-range ${range}: invalid CIDR block notation`);
    else if (r.family !== 'IPv4') errs.push(`invalid ip-range ${range}: parent subnet is an IPv4 block`);
    else {
      if (r.bits < subnet.bits)
        errs.push(`invalid ip-range ${range}: CIDR block is bigger than its parent subnet ${fmtPrefix(subnet)}`);
      if (masked(r).addr !== r.addr)
        errs.push(`invalid ip-range ${fmtPrefix(r)}: it should be ${fmtPrefix(masked(r))}`);
      if (!overlapsPrefix(subnet, r))
        errs.push(`invalid ip-range ${range}: parent subnet ${fmtPrefix(subnet)} doesn't contain ip-range`);
    }
  }
  const gw = addressProblem(cfg.Gateway ?? '', subnet);
  if (gw) errs.push(`invalid gateway ${cfg.Gateway}: ${gw}`);
  for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
    const p = addressProblem(aux, subnet);
    if (p) errs.push(`invalid auxiliary address ${name}: ${p}`);
  }
  return errs;
}

/** moby's multierror.Join wording under "invalid network config:". */
function ipamError(errs: string[]): SwarmError {
  const body = errs.length === 1 ? errs[0]! : '* ' + errs.map((e) => e.replaceAll('\n', '\n\t')).join('\n* ');
  return invalid(`invalid network config:\n${body}`);
}

/**
 * dockerd's checks, in its order, for a request whose name does not clash
 * with a swarm network, and the swarm spec it sends the manager. Throws the
 * SwarmError dockerd would answer with (its status included).
 */
export function networkSpecFromCreate(req: NetworkCreateRequest): Network['Spec'] {
  const name = req.Name ?? '';
  if (isPredefinedNetwork(name))
    throw new SwarmError('PermissionDenied', `operation is not permitted on predefined ${name} network `);
  const driver = req.Driver || 'bridge';
  const options = { ...(req.Options ?? {}) };
  const enableIPv4 = ipFamilyFlag(req.EnableIPv4, options, ENABLE_IPV4_OPT, true);
  const enableIPv6 = ipFamilyFlag(req.EnableIPv6, options, ENABLE_IPV6_OPT, false);
  const errs = (req.IPAM?.Config ?? []).flatMap((c) => ipamConfigProblems(c));
  if (errs.length > 0) throw ipamError(errs);
  if (name.trim() === '') throw invalid('invalid name: name is empty');
  if (req.ConfigOnly)
    throw invalid(
      'config-only networks are local to a daemon, and Swarmdeck has only swarm-scoped networks: create an overlay network with its own --subnet instead',
    );
  if (driver !== 'overlay')
    throw invalid(
      `network driver ${JSON.stringify(driver)} would create a network local to one daemon, and Swarmdeck has only swarm-scoped networks: use the overlay driver (docker network create -d overlay …)`,
    );
  if (req.Scope === 'local')
    throw new SwarmError('PermissionDenied', `cannot downgrade network scope for ${driver} networks`);
  if (req.ConfigFrom?.Network)
    throw new SwarmError('NotFound', `configuration network ${JSON.stringify(req.ConfigFrom.Network)} does not exist`);
  if (!enableIPv4) throw invalid('IPv4 cannot be disabled in a Swarm scoped network');
  if (enableIPv6) throw invalid("IPv6 is not supported: Swarmdeck's overlay networks are IPv4 only");

  const spec: Network['Spec'] = {
    Name: name,
    Labels: req.Labels ?? {},
    DriverConfiguration: { Name: driver, ...(Object.keys(options).length > 0 ? { Options: options } : {}) },
  };
  if (req.Internal) spec.Internal = true;
  if (req.Attachable) spec.Attachable = true;
  if (req.Ingress) spec.Ingress = true;
  if (req.IPAM) {
    const ipamOptions = req.IPAM.Options ?? {};
    spec.IPAMOptions = {
      Driver: {
        Name: req.IPAM.Driver || 'default',
        ...(Object.keys(ipamOptions).length > 0 ? { Options: ipamOptions } : {}),
      },
      // aux addresses are not carried to the swarm (BasicNetworkCreateToGRPC), as in dockerd
      Configs: (req.IPAM.Config ?? []).map((c) => ({
        Subnet: c.Subnet ?? '',
        ...(c.IPRange ? { Range: c.IPRange } : {}),
        ...(c.Gateway ? { Gateway: c.Gateway } : {}),
      })),
    };
  }
  return spec;
}

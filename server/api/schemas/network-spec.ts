// The swarm NetworkSpec (moby api/types/swarm/network.go) as the store keeps
// it and a follower forwards it to the leader (`createNetwork`): decoded as Go
// decodes it, the rules left to the control API (swarmkit validateNetworkSpec).

import type { Network } from '../types';
import { goBool, goSlice, goString, goStruct } from './go-json';
import { parseOrThrow } from './issues';
import { goLabels } from './labels';

const opts = (o: Record<string, string> | undefined) => (o && Object.keys(o).length > 0 ? { Options: o } : {});

const driverSchema = goStruct('Driver', { Name: goString().optional(), Options: goLabels('Options').optional() });

const ipamOptionsSchema = goStruct('IPAMOptions', {
  Driver: driverSchema.optional(),
  Configs: goSlice(
    goStruct('IPAMConfig', {
      Subnet: goString().optional(),
      Range: goString().optional(),
      Gateway: goString().optional(),
    }),
  ).optional(),
});

export const networkSpecSchema = goStruct(
  'NetworkSpec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    DriverConfiguration: driverSchema.optional(),
    Internal: goBool().optional(),
    Attachable: goBool().optional(),
    Ingress: goBool().optional(),
    IPAMOptions: ipamOptionsSchema.optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform((s): Network['Spec'] => {
  const out: Network['Spec'] = { Name: s.Name ?? '', Labels: s.Labels ?? {} };
  if (s.DriverConfiguration)
    out.DriverConfiguration = { Name: s.DriverConfiguration.Name ?? '', ...opts(s.DriverConfiguration.Options) };
  if (s.Internal) out.Internal = true;
  if (s.Attachable) out.Attachable = true;
  if (s.Ingress) out.Ingress = true;
  if (s.IPAMOptions) {
    const { Driver, Configs } = s.IPAMOptions;
    out.IPAMOptions = {
      ...(Driver ? { Driver: { Name: Driver.Name ?? '', ...opts(Driver.Options) } } : {}),
      Configs: (Configs ?? []).map((c) => ({
        Subnet: c.Subnet ?? '',
        ...(c.Range ? { Range: c.Range } : {}),
        ...(c.Gateway ? { Gateway: c.Gateway } : {}),
      })),
    };
  }
  return out;
});

/** A swarm NetworkSpec, decoded; throws the SwarmError dockerd would give for a malformed one. */
export function parseNetworkSpec(input: unknown): Network['Spec'] {
  return parseOrThrow(networkSpecSchema, input, 'swarm.NetworkSpec');
}

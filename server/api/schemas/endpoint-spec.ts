// EndpointSpec (moby api/types/swarm/network.go): resolution mode and
// published ports, with moby's converter checks and swarmkit's
// validateEndpointSpec.

import { goEnum, goInt, goSlice, goString, goStruct } from './go-json';
import { rpcText, rules } from './issues';

const MAX_PORT = 65535;

const portNumber = (field: string) =>
  goInt('uint32', (n) =>
    n > MAX_PORT ? `invalid port ${n} in EndpointSpec.Ports.${field}: ports are 0-65535` : undefined,
  ).optional();

// moby looks protocols and publish modes up case-insensitively, and quietly takes an unknown one as
// tcp or ingress: that typo is refused here
const portConfig = goStruct('PortConfig', {
  Name: goString().optional(),
  Protocol: goEnum('swarm.PortConfigProtocol', ['tcp', 'udp', 'sctp'], {
    empty: 'tcp',
    refusal: (v) => `invalid protocol ${JSON.stringify(v)} in EndpointSpec.Ports: tcp, udp or sctp`,
  }).optional(),
  TargetPort: portNumber('TargetPort'),
  PublishedPort: portNumber('PublishedPort'),
  PublishMode: goEnum('swarm.PortConfigPublishMode', ['ingress', 'host'], {
    empty: 'ingress',
    refusal: (v) => `invalid publish mode ${JSON.stringify(v)} in EndpointSpec.Ports: ingress or host`,
  }).optional(),
}).transform((p) => ({
  ...p,
  Protocol: p.Protocol ?? 'tcp',
  PublishMode: p.PublishMode ?? 'ingress',
  TargetPort: p.TargetPort ?? 0,
  PublishedPort: p.PublishedPort ?? 0,
}));

export const endpointSpecSchema = goStruct('EndpointSpec', {
  Mode: goEnum('swarm.ResolutionMode', ['vip', 'dnsrr'], {
    empty: 'vip',
    exactCase: true,
    refusal: (v) => `invalid resolution mode: ${JSON.stringify(v)}`,
  }).optional(),
  Ports: goSlice(portConfig).optional(),
}).transform(
  rules((e, no) => {
    const mode = e.Mode ?? 'vip';
    // swarmkit validateEndpointSpec
    const seen = new Set<string>();
    for (const p of e.Ports ?? []) {
      if (mode === 'dnsrr' && p.PublishMode === 'ingress')
        no(rpcText("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"));
      if (!p.PublishedPort) continue;
      const key = `${p.PublishedPort}/${p.Protocol}`;
      if (seen.has(key)) no(rpcText('EndpointSpec: duplicate published ports provided'));
      seen.add(key);
    }
    return { ...e, Mode: mode };
  }),
);

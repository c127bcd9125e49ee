// The bodies of `POST /swarm/init` and `POST /swarm/join` (moby
// api/types/swarm/swarm.go InitRequest and JoinRequest), as dockerd decodes
// and checks them before it acts.

import { clusterSpecSchema } from './cluster-spec';
import { goBool, goEnum, goInt, goSlice, goString, goStruct } from './go-json';
import { parseOrThrow, rules } from './issues';

const availability = () =>
  goEnum('swarm.NodeAvailability', ['active', 'pause', 'drain'], {
    empty: 'active',
    refusal: (v) => `invalid Availability: ${JSON.stringify(v)}`,
  }).optional();

export const initRequestSchema = goStruct('InitRequest', {
  ListenAddr: goString().optional(),
  AdvertiseAddr: goString().optional(),
  DataPathAddr: goString().optional(),
  DataPathPort: goInt('uint32').optional(),
  ForceNewCluster: goBool().optional(),
  Spec: clusterSpecSchema.optional(),
  AutoLockManagers: goBool().optional(),
  Availability: availability(),
  DefaultAddrPool: goSlice(goString()).optional(),
  SubnetSize: goInt('uint32').optional(),
});

export const joinRequestSchema = goStruct('JoinRequest', {
  ListenAddr: goString().optional(),
  AdvertiseAddr: goString().optional(),
  DataPathAddr: goString().optional(),
  RemoteAddrs: goSlice(goString()).optional(),
  JoinToken: goString().optional(),
  Availability: availability(),
}).transform(
  rules((r, no) => {
    // moby validateAndSanitizeJoinRequest, then swarmkit's token check
    if (!r.RemoteAddrs?.length) no('at least 1 RemoteAddr is required to join');
    for (const addr of r.RemoteAddrs!) if (addr === '') no(`invalid remoteAddr "": invalid empty address`);
    if (!r.JoinToken) no('invalid join token');
    return { ...r, RemoteAddrs: r.RemoteAddrs!, JoinToken: r.JoinToken! };
  }),
);

export type InitRequest = ReturnType<typeof parseInitRequest>;
export type JoinRequest = ReturnType<typeof parseJoinRequest>;

export const parseInitRequest = (input: unknown) => parseOrThrow(initRequestSchema, input, 'swarm.InitRequest');
export const parseJoinRequest = (input: unknown) => parseOrThrow(joinRequestSchema, input, 'swarm.JoinRequest');

// swarm.SecretSpec (moby api/types/swarm/secret.go) as dockerd decodes it on
// `POST /secrets/create` and `/secrets/{id}/update`, and as a follower
// forwards it to the leader: Go's decoder only (Data is base64, Go's []byte).
// The rules (names, sizes, drivers) are the control API's, as in swarmkit.

import type { Driver, SecretSpec } from '../types';
import { goBytes, goString, goStruct } from './go-json';
import { parseOrThrow } from './issues';
import { goLabels } from './labels';

/** swarm.Driver: `Spec.Driver` and `Spec.Templating`. */
export const payloadDriverSchema = goStruct('Driver', {
  Name: goString().optional(),
  Options: goLabels('Options').optional(),
});

type DriverInput = { Name?: string; Options?: Record<string, string> };

/** A decoded Driver as stored: Options only when there are some. */
export function storedDriver(d: DriverInput): Driver {
  return { Name: d.Name ?? '', ...(d.Options && Object.keys(d.Options).length > 0 ? { Options: d.Options } : {}) };
}

export const secretSpecSchema = goStruct(
  'SecretSpec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    Data: goBytes().optional(),
    Driver: payloadDriverSchema.optional(),
    Templating: payloadDriverSchema.optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform((s): SecretSpec => {
  const out: SecretSpec = { Name: s.Name ?? '', Labels: s.Labels ?? {} };
  if (s.Data !== undefined) out.Data = s.Data;
  if (s.Driver) out.Driver = storedDriver(s.Driver);
  if (s.Templating) out.Templating = storedDriver(s.Templating);
  return out;
});

/** A swarm.SecretSpec body, decoded; throws the SwarmError dockerd would give for a malformed one. */
export function parseSecretSpec(input: unknown): SecretSpec {
  return parseOrThrow(secretSpecSchema, input, 'swarm.SecretSpec');
}

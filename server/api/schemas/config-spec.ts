// swarm.ConfigSpec (moby api/types/swarm/config.go) as dockerd decodes it on
// `POST /configs/create` and `/configs/{id}/update`, and as a follower
// forwards it to the leader. A config has no Driver; the rules are the
// control API's.

import type { ConfigSpec } from '../types';
import { goBytes, goString, goStruct } from './go-json';
import { parseOrThrow } from './issues';
import { goLabels } from './labels';
import { payloadDriverSchema, storedDriver } from './secret-spec';

export const configSpecSchema = goStruct(
  'ConfigSpec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    Data: goBytes().optional(),
    Templating: payloadDriverSchema.optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform((s): ConfigSpec => {
  const out: ConfigSpec = { Name: s.Name ?? '', Labels: s.Labels ?? {} };
  if (s.Data !== undefined) out.Data = s.Data;
  if (s.Templating) out.Templating = storedDriver(s.Templating);
  return out;
});

/** A swarm.ConfigSpec body, decoded; throws the SwarmError dockerd would give for a malformed one. */
export function parseConfigSpec(input: unknown): ConfigSpec {
  return parseOrThrow(configSpecSchema, input, 'swarm.ConfigSpec');
}

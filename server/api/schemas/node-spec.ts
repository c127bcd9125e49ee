// NodeSpec (moby api/types/swarm/node.go) as `POST /nodes/{id}/update` takes
// it: Go's decoder and moby's NodeSpecToGRPC, which looks the role and the
// availability up case-insensitively and refuses anything else, "" too.

import type { NodeSpec } from '../types';
import { goEnum, goString, goStruct } from './go-json';
import { parseOrThrow, rules } from './issues';
import { goLabels } from './labels';

export const nodeSpecSchema = goStruct(
  'NodeSpec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    Role: goEnum('swarm.NodeRole', ['worker', 'manager'], {
      refusal: (v) => `invalid Role: ${JSON.stringify(v)}`,
    }).optional(),
    Availability: goEnum('swarm.NodeAvailability', ['active', 'pause', 'drain'], {
      refusal: (v) => `invalid Availability: ${JSON.stringify(v)}`,
    }).optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform(
  rules((s, no) => {
    if (s.Role === undefined) no('invalid Role: ""');
    if (s.Availability === undefined) no('invalid Availability: ""');
    return {
      ...(s.Name ? { Name: s.Name } : {}),
      Labels: s.Labels ?? {},
      Role: s.Role!,
      Availability: s.Availability!,
    };
  }),
);

export function parseNodeSpec(input: unknown): NodeSpec {
  return parseOrThrow(nodeSpecSchema, input, 'swarm.NodeSpec');
}

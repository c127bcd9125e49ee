// A task status as an agent reports it. It is stored on the task and
// `docker service ps` decodes it (a Timestamp that is not RFC 3339 would
// fail the CLI for every user), so every field has Docker's type.

import { z } from 'zod';
import { TASK_STATES } from '../types';
import { rfc3339 } from './wire';

const port = () => z.number().int().min(0).max(65535);

export const taskStatusSchema = z.object({
  Timestamp: rfc3339(),
  State: z.enum(TASK_STATES),
  Message: z.string(),
  Err: z.string().optional(),
  ContainerStatus: z
    .object({
      ContainerID: z.string().optional(),
      PID: z.number().int().optional(),
      ExitCode: z.number().int().optional(),
      Health: z.enum(['starting', 'healthy', 'unhealthy']).optional(),
    })
    .optional(),
  PortStatus: z
    .object({
      Ports: z
        .array(
          z.object({
            Name: z.string().optional(),
            Protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
            TargetPort: port().optional(),
            PublishedPort: port().optional(),
            PublishMode: z.enum(['ingress', 'host']).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  // the dispatcher's own stamps; an agent's are replaced
  AppliedAt: rfc3339().optional(),
  AppliedBy: z.string().optional(),
});

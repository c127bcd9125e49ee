// A task status as an agent reports it. It is stored on the task and
// `docker service ps` decodes it (a Timestamp that is not RFC 3339 would
// fail the CLI for every user), so every field has Docker's type.

import { z } from 'zod';
import { TASK_STATES, type TaskStatus } from '../types';
import { rfc3339 } from './wire';

const port = () => z.number().int().min(0).max(65535);

/**
 * A task status's texts: swarmkit's are a few words (`started`, `task: non-zero exit (1)`); an
 * executor's error may quote a command's output, so the agent cuts both to these before it
 * reports (boundTaskStatus), and the dispatcher refuses longer ones.
 */
export const MAX_STATUS_MESSAGE_CHARS = 4096;
export const MAX_STATUS_ERR_CHARS = 8192;
/** Published ports one task may report (host-mode publishing): a range of a thousand is already a lot. */
export const MAX_STATUS_PORTS = 1024;

export const taskStatusSchema = z.object({
  Timestamp: rfc3339(),
  State: z.enum(TASK_STATES),
  Message: z.string().max(MAX_STATUS_MESSAGE_CHARS),
  Err: z.string().max(MAX_STATUS_ERR_CHARS).optional(),
  ContainerStatus: z
    .object({
      ContainerID: z.string().max(256).optional(),
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
            Name: z.string().max(256).optional(),
            Protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
            TargetPort: port().optional(),
            PublishedPort: port().optional(),
            PublishMode: z.enum(['ingress', 'host']).optional(),
          }),
        )
        .max(MAX_STATUS_PORTS)
        .optional(),
    })
    .optional(),
  // the dispatcher's own stamps; an agent's are replaced
  AppliedAt: rfc3339().optional(),
  AppliedBy: z.string().max(256).optional(),
});

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A status as the agent may report it: texts and ports cut to the limits above (the rest is the executor's). */
export function boundTaskStatus(status: TaskStatus): TaskStatus {
  const ports = status.PortStatus?.Ports;
  const long =
    status.Message.length > MAX_STATUS_MESSAGE_CHARS ||
    (status.Err?.length ?? 0) > MAX_STATUS_ERR_CHARS ||
    (ports?.length ?? 0) > MAX_STATUS_PORTS;
  if (!long) return status;
  return {
    ...status,
    Message: cut(status.Message, MAX_STATUS_MESSAGE_CHARS),
    ...(status.Err !== undefined ? { Err: cut(status.Err, MAX_STATUS_ERR_CHARS) } : {}),
    ...(ports ? { PortStatus: { ...status.PortStatus, Ports: ports.slice(0, MAX_STATUS_PORTS) } } : {}),
  };
}

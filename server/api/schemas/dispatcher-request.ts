// Dispatcher session requests from agents (server/manager/dispatcher/remote):
// `{dispatcher: <method>, …}`. What an agent reports is stored on its node
// and tasks, so the description and statuses are checked field by field.

import { z } from 'zod';
import { nodeDescriptionSchema } from './node-description';
import { taskStatusSchema } from './task-status';
import { count } from './wire';

const id = (what: string) =>
  z
    .string({ error: `a ${what} is required` })
    .min(1, { error: `a ${what} is required` })
    .max(128, { error: `a ${what} is at most 128 characters` });
const session = () => id('session ID');
/** Base64 DER of a certificate bundle or key: well under this. */
const tlsField = () => z.string().max(64 * 1024);

/** One request per method; a long poll waits at most `waitMs` (0 when absent or bad, as before). */
export const dispatcherRequestSchema = z.discriminatedUnion('dispatcher', [
  z.object({
    dispatcher: z.literal('register'),
    req: z.object(
      {
        nodeID: id('node ID'),
        description: nodeDescriptionSchema,
        addr: z
          .string()
          .max(512)
          .optional()
          .transform((a) => a ?? ''),
      },
      { error: 'a node ID and description are required' },
    ),
  }),
  z.object({
    dispatcher: z.literal('heartbeat'),
    sessionID: session(),
    // the node's TLS identity (swarmkit NodeTLSInfo), reported after a renewal or a root rotation
    report: z
      .object({
        tlsInfo: z
          .object(
            { TrustRoot: tlsField(), CertIssuerSubject: tlsField(), CertIssuerPublicKey: tlsField() },
            { error: 'report.tlsInfo must hold TrustRoot, CertIssuerSubject and CertIssuerPublicKey' },
          )
          .optional(),
        // the routing mesh's trouble on the node (ports it cannot bind), shown as its Status.Message
        meshErrors: z
          .array(z.string().max(1024, { error: 'report.meshErrors entries are at most 1024 characters' }), {
            error: 'report.meshErrors must be a list of strings',
          })
          .max(64, { error: 'report.meshErrors holds at most 64 entries' })
          .optional(),
        // the same bind failures per service and port: the service's MeshErrors
        meshPortErrors: z
          .array(
            z.object(
              {
                ServiceID: id('report.meshPortErrors ServiceID'),
                PublishedPort: z
                  .number({ error: 'report.meshPortErrors PublishedPort must be a port' })
                  .int({ error: 'report.meshPortErrors PublishedPort must be a port' })
                  .min(1, { error: 'report.meshPortErrors PublishedPort must be a port' })
                  .max(65535, { error: 'report.meshPortErrors PublishedPort must be a port' }),
                Protocol: z.enum(['tcp', 'udp'], { error: 'report.meshPortErrors Protocol must be tcp or udp' }),
                PublishMode: z.enum(['ingress', 'host'], {
                  error: 'report.meshPortErrors PublishMode must be ingress or host',
                }),
                Message: z.string().max(1024, { error: 'report.meshPortErrors Message is at most 1024 characters' }),
              },
              { error: 'report.meshPortErrors entries must be objects' },
            ),
            { error: 'report.meshPortErrors must be a list' },
          )
          .max(64, { error: 'report.meshPortErrors holds at most 64 entries' })
          .optional(),
      })
      .optional(),
  }),
  z.object({ dispatcher: z.literal('leave'), sessionID: session() }),
  z.object({
    dispatcher: z.literal('updateTaskStatus'),
    sessionID: session(),
    updates: z.array(z.object({ taskID: id('task ID'), status: taskStatusSchema }), {
      error: 'updates must be a list',
    }),
  }),
  z.object({
    dispatcher: z.literal('assignments'),
    sessionID: session(),
    cursor: z
      .object({ stream: z.string().max(128), seq: count() })
      .nullish()
      .transform((c) => c ?? null),
    waitMs: z
      .number()
      .optional()
      .transform((w) => (w !== undefined && Number.isFinite(w) && w > 0 ? w : 0)),
  }),
]);

// Log broker requests over the cluster port (server/manager/logbroker):
// nodes poll for their subscriptions and publish lines; other managers open
// and poll log sessions for their own Engine API and console.

import { z } from 'zod';
import { rfc3339, count } from './wire';

const id = (what: string) =>
  z
    .string({ error: `a ${what} is required` })
    .min(1, { error: `a ${what} is required` })
    .max(128, { error: `a ${what} is at most 128 characters` });
/** A long poll's wait in ms: absent or not positive means no wait (the server caps it). */
const waitMs = () =>
  z
    .number()
    .optional()
    .transform((w) => (w !== undefined && Number.isFinite(w) && w > 0 ? w : 0));
const ids = () => z.array(z.string()).optional();

/** A line as an agent publishes it: its executor cuts lines at 16 KiB, so 64 Ki characters is ample. */
const publishedLine = z.object({
  taskID: z.string().max(128),
  time: rfc3339(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string().max(64 * 1024),
});

export const logBrokerRequestSchema = z.discriminatedUnion('logbroker', [
  z.object({
    logbroker: z.literal('subscriptions'),
    nodeID: id('node ID'),
    stream: z
      .string()
      .nullish()
      .transform((s) => s ?? null),
    version: count()
      .optional()
      .transform((v) => v ?? 0),
    waitMs: waitMs(),
  }),
  z.object({
    logbroker: z.literal('publish'),
    nodeID: id('node ID'),
    batch: z.object(
      {
        subscriptionID: id('subscription ID'),
        lines: z.array(publishedLine).max(10_000),
        close: z.boolean().optional(),
      },
      { error: 'a subscription ID and lines are required' },
    ),
  }),
  z.object({
    logbroker: z.literal('open'),
    selector: z
      .object({ serviceIDs: ids(), taskIDs: ids() })
      .optional()
      .transform((s) => s ?? {}),
    options: z.object(
      {
        follow: z
          .boolean()
          .optional()
          .transform((f) => !!f),
        tail: count().optional(),
        since: z.number().finite().optional(),
        streams: z.array(z.enum(['stdout', 'stderr'])).optional(),
      },
      { error: 'options are required' },
    ),
  }),
  z.object({
    logbroker: z.literal('poll'),
    session: id('session ID'),
    cursor: count()
      .optional()
      .transform((c) => c ?? 0),
    waitMs: waitMs(),
  }),
  z.object({ logbroker: z.literal('close'), session: id('session ID') }),
]);

// A control-API write a follower forwards to the leader over the cluster
// port: `{control, args}`, checked method by method (the specs by the same
// schemas as the Engine API's bodies) before the leader runs it.

import { z } from 'zod';
import { authWriteSchema } from './auth-write';
import { clusterSpecSchema } from './cluster-spec';
import { configSpecSchema } from './config-spec';
import { networkSpecSchema } from './network-spec';
import { nodeSpecSchema } from './node-spec';
import { secretSpecSchema } from './secret-spec';
import { serviceSpecSchema } from './service-spec';
import { count } from './wire';

/** An ID, name or prefix: names are at most 63 characters, so 1 KiB is generous. */
const ref = () => z.string().min(1).max(1024);
const version = () => count();

/** A trailing options argument: JSON turns an `undefined` in an argument list into null. */
const trailing = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();

const rotate = z.object({
  workerToken: z.boolean().optional(),
  managerToken: z.boolean().optional(),
  managerUnlockKey: z.boolean().optional(),
});
const updateOpts = z.object({
  rollback: z.boolean().optional(),
  cause: z.enum(['update', 'restore']).optional(),
  restoredFrom: count().optional(),
});

/** One branch per mutating control-API method, with its argument list. */
export const controlRequestSchema = z.discriminatedUnion('control', [
  z.object({
    control: z.literal('updateCluster'),
    args: z.tuple([version(), clusterSpecSchema, trailing(rotate)]),
  }),
  z.object({ control: z.literal('updateNode'), args: z.tuple([ref(), version(), nodeSpecSchema]) }),
  z.object({ control: z.literal('removeNode'), args: z.tuple([ref(), z.boolean()]) }),
  z.object({ control: z.literal('createService'), args: z.tuple([serviceSpecSchema]) }),
  z.object({
    control: z.literal('updateService'),
    args: z.tuple([ref(), version(), serviceSpecSchema, trailing(updateOpts)]),
  }),
  z.object({ control: z.literal('removeService'), args: z.tuple([ref()]) }),
  z.object({ control: z.literal('createNetwork'), args: z.tuple([networkSpecSchema]) }),
  z.object({ control: z.literal('removeNetwork'), args: z.tuple([ref()]) }),
  z.object({ control: z.literal('createSecret'), args: z.tuple([secretSpecSchema]) }),
  z.object({ control: z.literal('updateSecret'), args: z.tuple([ref(), version(), secretSpecSchema]) }),
  z.object({ control: z.literal('removeSecret'), args: z.tuple([ref()]) }),
  z.object({ control: z.literal('createConfig'), args: z.tuple([configSpecSchema]) }),
  z.object({ control: z.literal('updateConfig'), args: z.tuple([ref(), version(), configSpecSchema]) }),
  z.object({ control: z.literal('removeConfig'), args: z.tuple([ref()]) }),
  z.object({ control: z.literal('authWrite'), args: z.tuple([authWriteSchema]) }),
]);

export const CONTROL_WRITES = controlRequestSchema.options.map((o) => o.shape.control.value);
export type ControlRequest = z.output<typeof controlRequestSchema>;
export type ControlWrite = ControlRequest['control'];

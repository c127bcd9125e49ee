// The secrets and configs a dispatcher sends beside a node's assignments
// (server/manager/dispatcher/task-dependencies.ts). The agent checks each one
// before it keeps it: a task's files are made from them. No message here ever
// quotes a value.

import { z } from 'zod';

/** Docker's limits: 500 KB of secret data, 1000 KB of config data; base64 adds a third. */
const MAX_DATA_CHARS = Math.ceil((1000 * 1024 * 4) / 3) + 4;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const id = () =>
  z.string().min(1, { error: 'an ID is required' }).max(128, { error: 'an ID is at most 128 characters' });

const spec = z.object(
  {
    Name: z.string().min(1, { error: 'Spec.Name is required' }).max(1024),
    Labels: z.record(z.string(), z.string()).optional(),
    Data: z
      .string({ error: 'Spec.Data must be base64 text' })
      .max(MAX_DATA_CHARS, { error: 'Spec.Data is too large' })
      .regex(BASE64, { error: 'Spec.Data must be base64 text' })
      .optional(),
    Templating: z
      .object({ Name: z.string().max(64) })
      .loose()
      .nullish(),
  },
  { error: 'Spec must be an object' },
);

const object = z.object({ ID: id(), Version: z.object({ Index: z.number().int().nonnegative() }), Spec: spec }).loose();

export const dependencyChangeSchema = z.union(
  [
    z.object({ action: z.literal('remove'), kind: z.enum(['secret', 'config']), id: id() }),
    z.object({ action: z.literal('update'), kind: z.literal('secret'), secret: object }),
    z.object({ action: z.literal('update'), kind: z.literal('config'), config: object }),
  ],
  { error: 'a dependency change is {kind, action: update, secret|config} or {kind, action: remove, id}' },
);

// Files a process writes into its data dir and reads back at start. A file
// that does not match is refused with a message naming it and the field, so a
// damaged data dir is a clear startup error rather than a TypeError later.

import { z } from 'zod';
import { nodeIdSchema } from './join-request';

const id = () => z.string().min(1);

/** node.json: this process's node ID (it becomes its certificates' CN: one rule for it everywhere). */
export const nodeIdentitySchema = z.object({ nodeID: nodeIdSchema() });

/** agent-credentials.json: an admitted worker's cluster, node ID and last known managers. */
export const agentCredentialsSchema = z.object({
  clusterID: id(),
  nodeID: nodeIdSchema(),
  managers: z.record(z.string(), z.string()).default({}),
  leader: z.string().default(''),
});

/** Parses a data-dir file's text; throws an Error that names the file and what is wrong with it. */
export function parsePersisted<T extends z.ZodType>(schema: T, text: string, file: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may be a key: name the file only
    throw new Error(`${file} is not valid JSON (damaged?); restore it from a backup or remove it`);
  }
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}: ` : '';
  throw new Error(
    `${file} is damaged: ${where}${issue?.message ?? 'unexpected content'}; restore it from a backup or remove it`,
  );
}

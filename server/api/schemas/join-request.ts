// Join requests on the cluster port: a manager (`{join}`) or an agent
// (`{agentJoin}`) holding a join token asks to be admitted. The caller has
// only a token, and what it describes becomes a Node that `docker node ls`
// decodes, so every field is checked before anything is stored or signed.

import { z } from 'zod';
import { CLUSTER_ADDR_PATTERN, isNodeID, NODE_ID_RULE } from '../node-id';
import { nodeDescriptionSchema } from './node-description';

/** Node IDs are swarmkit's 25 base-36 characters; other plain, short names are allowed for tests and tools. */
export const nodeIdSchema = () => z.string().refine(isNodeID, { error: NODE_ID_RULE });

/** A host or host:port as a node advertises it: short, printable, no spaces. */
const addrSchema = () =>
  z.string().min(1).max(256).regex(CLUSTER_ADDR_PATTERN, { error: 'must be a host or host:port' });

const joinFields = {
  token: z.string().max(256),
  addr: addrSchema(),
  description: nodeDescriptionSchema,
  /** A PEM CSR for a P-256 key is well under 1 KiB. */
  csr: z
    .string()
    .min(1)
    .max(16 * 1024),
};

/** `{join}`: a manager joining (raftId: set by a member passing the join on to the leader). */
export const managerJoinRequestSchema = z.object({
  join: z.object({ ...joinFields, raftId: nodeIdSchema().optional() }),
});

/** `{agentJoin}`: an agent joining as a worker (nodeID: set by a member passing it on). */
export const agentJoinRequestSchema = z.object({
  agentJoin: z.object({ ...joinFields, nodeID: nodeIdSchema().optional() }),
});

// What a node says about itself when it registers with the dispatcher. It is
// stored on the node and `docker node ls/inspect` decodes it, so every field
// must have Docker's type.

import { z } from 'zod';
import { count } from './wire';

const text = (max = 1024) => z.string().max(max);

export const nodeDescriptionSchema = z.object({
  Hostname: text(255),
  Platform: z.object({ Architecture: text(64), OS: text(64) }),
  Resources: z.object({ NanoCPUs: count(), MemoryBytes: count() }),
  Engine: z.object({
    EngineVersion: text(256),
    Labels: z.record(z.string(), z.string()).optional(),
    Plugins: z.array(z.object({ Type: text(256), Name: text(256) })).optional(),
  }),
  TLSInfo: z
    .object({ TrustRoot: z.string(), CertIssuerSubject: z.string(), CertIssuerPublicKey: z.string() })
    .optional(),
});

// What a node says about itself when it registers with the dispatcher. It is
// stored on the node and `docker node ls/inspect` decodes it, so every field
// must have Docker's type. A node is a peer, not a user: everything it sends
// is bounded, so no node can make the store (or a raft entry) large.

import { z } from 'zod';
import { count } from './wire';

const text = (max = 1024) => z.string().max(max);

/** Engine labels a node may report (dockerd's `--label`s): a few, short. */
export const MAX_ENGINE_LABELS = 256;
/** Plugins a node may report (dockerd lists its volume, network, log and authz plugins). */
export const MAX_ENGINE_PLUGINS = 256;
/** A PEM bundle or base64 DER in TLSInfo: a certificate chain is a few KiB. */
const TLS_FIELD_CHARS = 64 * 1024;

const engineLabels = z
  .record(text(1024), text(4096))
  .refine((m) => Object.keys(m).length <= MAX_ENGINE_LABELS, { error: `at most ${MAX_ENGINE_LABELS} labels` });

/** Generic resources a node may report (`--generic-resource`): GPUs and the like, a few. */
export const MAX_GENERIC_RESOURCES = 256;

const genericResource = z.object({
  NamedResourceSpec: z.object({ Kind: text(256).optional(), Value: text(1024).optional() }).optional(),
  DiscreteResourceSpec: z.object({ Kind: text(256).optional(), Value: count().optional() }).optional(),
});

export const nodeDescriptionSchema = z.object({
  Hostname: text(255),
  Platform: z.object({ Architecture: text(64), OS: text(64) }),
  Resources: z.object({
    NanoCPUs: count(),
    MemoryBytes: count(),
    GenericResources: z.array(genericResource).max(MAX_GENERIC_RESOURCES).optional(),
  }),
  Engine: z.object({
    EngineVersion: text(256),
    Labels: engineLabels.optional(),
    Plugins: z
      .array(z.object({ Type: text(256), Name: text(256) }))
      .max(MAX_ENGINE_PLUGINS)
      .optional(),
  }),
  TLSInfo: z
    .object({
      TrustRoot: text(TLS_FIELD_CHARS),
      CertIssuerSubject: text(TLS_FIELD_CHARS),
      CertIssuerPublicKey: text(TLS_FIELD_CHARS),
    })
    .optional(),
});

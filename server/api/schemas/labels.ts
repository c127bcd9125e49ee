// Label maps (Annotations.Labels, ContainerSpec.Labels, driver options,
// sysctls). Docker sets no limit on a label's size, but every label is kept in
// the raft store and replicated with its object, so each key and value is
// bounded here; the whole object is bounded by the proposal limit.

import { goMap, goString } from './go-json';
import { refuse, rpcText } from './issues';

/** Longest label key, in characters: keys are names (`com.example.team`), a kibibyte is ample. */
export const MAX_LABEL_KEY_CHARS = 1024;
/** Longest label value, in characters: room for a certificate or a small document, not a payload. */
export const MAX_LABEL_VALUE_CHARS = 64 * 1024;

const excerpt = (s: string) => JSON.stringify(s.length > 32 ? `${s.slice(0, 32)}…` : s);

/** A Go `map[string]string` whose keys and values are bounded; `field` names it in the refusal. */
export function goLabels(field: string) {
  return goMap(goString()).check((ctx) => {
    const labels = ctx.value as Record<string, string>;
    for (const [k, v] of Object.entries(labels)) {
      if (k.length > MAX_LABEL_KEY_CHARS) {
        refuse(
          ctx,
          rpcText(`${field}: key ${excerpt(k)} is ${k.length} characters long (the limit is ${MAX_LABEL_KEY_CHARS})`),
        );
        return;
      }
      if (v.length > MAX_LABEL_VALUE_CHARS) {
        refuse(
          ctx,
          rpcText(
            `${field}: the value of ${excerpt(k)} is ${v.length} characters long (the limit is ${MAX_LABEL_VALUE_CHARS})`,
          ),
        );
        return;
      }
    }
  });
}

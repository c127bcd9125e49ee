// Seeded randomness for the fuzzer. Every request is generated from its own
// generator, derived from (seed, stream, index), so request i of a seed is
// the same whatever ran before it: a single request replays from its index.

import { Rng } from '../rng';

export { Rng };

/** FNV-1a of the parts, as a 32-bit seed. */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = `${p}\u0000`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** The generator of one request: derived from (seed, stream, index) alone. */
export function rngFor(...parts: (number | string)[]): Rng {
  return new Rng(mixSeed(...parts));
}

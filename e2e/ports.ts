// The ports the e2e server listens on. SWARMDECK_E2E_PORT_BASE moves all of
// them, so two checkouts on one machine can run e2e side by side.
const base = Number(process.env.SWARMDECK_E2E_PORT_BASE ?? '') || 0;

export const E2E_PORTS = {
  console: base ? base : 3100,
  engine: base ? base + 1 : 2475,
  cluster: base ? base + 2 : 2477,
};

export const E2E_ENGINE = `http://127.0.0.1:${E2E_PORTS.engine}`;

/** A port a spec starts a server of its own on: above the shared ones with a base, else `fallback`. */
export function extraPort(offset: number, fallback: number): number {
  return base ? base + 10 + offset : fallback;
}

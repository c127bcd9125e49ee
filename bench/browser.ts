// Real Chromium for the console benchmarks (P7, P9): Debian's /usr/bin/chromium,
// as the e2e run uses it, and contexts logged in to a manager's console.
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/integration/harness';
import { BenchManager, killAllGroups, until } from './managers';

/** The console admin the benchmark managers create at start (see adminEnv). */
export const BENCH_ADMIN = { name: 'bench', password: randomBytes(18).toString('base64url') };

/** Environment for a manager that should start with BENCH_ADMIN. */
export const adminEnv = (): Record<string, string> => ({
  SWARMDECK_ADMIN_NAME: BENCH_ADMIN.name,
  SWARMDECK_ADMIN_PASSWORD: BENCH_ADMIN.password,
});

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
      // several pages measured at once: none of them may be throttled as a background tab
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

/** A browser context holding an admin session on the console at `base`. */
export async function loggedInContext(
  browser: Browser,
  base: string,
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: base, viewport, colorScheme });
  const r = await ctx.request.post('/api/session', { data: BENCH_ADMIN });
  if (!r.ok()) throw new Error(`console login: ${r.status()} ${await r.text()}`);
  return ctx;
}

/**
 * What both browser benchmarks stand on: one manager process serving the console with `nodes` simulated
 * workers, all of them ready, and a Chromium. `close()` ends both and removes the data dir.
 */
export async function startConsoleBench(
  prefix: string,
  nodes: number,
): Promise<{ m: BenchManager; browser: Browser; base: string; close(): Promise<void> }> {
  Object.assign(process.env, adminEnv());
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const ports = { engine: await freePort(), cluster: await freePort(), console: await freePort() };
  // BENCH_CPU_PROF=dir: the manager writes a V8 CPU profile there when it stops (what to look at in a miss)
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const m = new BenchManager('m1', ports, dataDir, ['--max-old-space-size=4096', ...prof], true);
  const browser = await launchChromium();
  const close = async () => {
    await browser.close().catch(() => undefined);
    await m.stop().catch(() => undefined);
    killAllGroups();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await m.start(['--sim-workers', String(nodes)]);
    await until(
      `${nodes} workers ready`,
      async () => {
        const list = (await m.api('GET', '/nodes')).json as { Status: { State: string } }[];
        return list.filter((n) => n.Status.State === 'ready').length >= nodes + 1;
      },
      120_000,
      250,
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { m, browser, base: `http://127.0.0.1:${ports.console}`, close };
}

/** A benchmark's entry point: a failure is printed and every manager it started is killed. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    killAllGroups();
    process.exit(1);
  });
}

// Real Chromium for the console benchmarks (P7, P9): Debian's /usr/bin/chromium,
// as the e2e run uses it, and contexts logged in to a manager's console.
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { randomBytes } from 'node:crypto';

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

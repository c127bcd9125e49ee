import { defineConfig } from '@playwright/test';
import { ADMIN_ENV, ADMIN_STATE } from './e2e/auth';
import { E2E_PORTS } from './e2e/ports';

const PORT = E2E_PORTS.console;

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.tmp/playwright.json' }]],
  outputDir: 'test-results',
  // every spec starts logged in as the admin (the setup project's cookie); specs about roles make their own
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts$/ },
    { name: 'console', dependencies: ['setup'], use: { storageState: ADMIN_STATE } },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; never `npx playwright install`
      executablePath: '/usr/bin/chromium',
      args: [
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
        '--disable-background-networking',
        '--disable-component-update',
        // /dev/shm is 64 MiB in many containers: a 4K screenshot there can crash the renderer
        '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: {
    // production mode: `npx next build` must have run
    command: `rm -rf .tmp/e2e-data-${PORT} && npx tsx server/main.ts --console-port ${PORT} --engine-port ${E2E_PORTS.engine} --cluster-port ${E2E_PORTS.cluster} --data-dir .tmp/e2e-data-${PORT} --sim-workers 3 --executor sim`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...ADMIN_ENV },
  },
});

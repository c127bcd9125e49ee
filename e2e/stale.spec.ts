import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { E2E_ADMIN, logIn } from './auth';
import { startOwnManager, type OwnManager } from './own-manager';
import { extraPort } from './ports';

// A manager of its own (the shared one must stay up for other specs), frozen
// with SIGSTOP: its TCP connections stay open, only the frames stop.

const ARTIFACTS = 'artifacts';
let manager: OwnManager | undefined;

test.afterAll(() => manager?.stop());

async function startManager(): Promise<string> {
  const ports = { console: extraPort(40, 3140), engine: extraPort(41, 2540), cluster: extraPort(42, 2541) };
  manager = await startOwnManager(ports, '.tmp/e2e-stale', ['--executor', 'sim', '--sim-workers', '2']);
  return manager.base;
}

test('the wall and the console dim within 5 s of the manager freezing (SIGSTOP), and recover on SIGCONT', async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const base = await startManager();
  await logIn(page.request, E2E_ADMIN, base);
  await page.setViewportSize({ width: 3840, height: 2160 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${base}/wall`);
  const wallConn = page.locator('.conn');
  await expect(wallConn).toHaveAttribute('data-status', 'live', { timeout: 60_000 });
  await expect(page.getByTestId('stale-curtain')).toHaveCount(0);

  // a laptop console beside it
  const laptop = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await logIn(laptop.request, E2E_ADMIN, base);
  await laptop.goto(`${base}/`);
  await expect(laptop.locator('.conn')).toHaveAttribute('data-status', 'live', { timeout: 60_000 });

  const stoppedAt = Date.now();
  manager!.proc.kill('SIGSTOP');
  const curtain = page.getByTestId('stale-curtain');
  await expect(curtain).toBeVisible({ timeout: 5_000 });
  const dimmedAfter = Date.now() - stoppedAt;
  expect(dimmedAfter).toBeLessThanOrEqual(5_000);
  await expect(curtain).toContainText(/Stale since \d\d:\d\d:\d\d \(\d+ s\)/);
  await expect(wallConn).toHaveAttribute('data-status', 'stale');
  await expect(laptop.getByTestId('stale-curtain')).toBeVisible({ timeout: 5_000 });
  // the curtain takes no clicks: the laptop page under it stays usable
  expect(await laptop.getByTestId('stale-curtain').evaluate((el) => getComputedStyle(el).pointerEvents)).toBe('none');
  console.log(`dimmed ${dimmedAfter} ms after SIGSTOP`);

  // let the age grow a little so the screenshot shows it ticking
  await expect(curtain).toContainText(/\((?:[6-9]|\d\d+) s\)/, { timeout: 10_000 });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/stale-wall-dark-3840.png` });
  await laptop.screenshot({ path: `${ARTIFACTS}/stale-console-light-1366.png` });

  manager!.proc.kill('SIGCONT');
  await expect(curtain).toHaveCount(0, { timeout: 15_000 });
  await expect(wallConn).toHaveAttribute('data-status', 'live');
  await expect(laptop.getByTestId('stale-curtain')).toHaveCount(0, { timeout: 15_000 });
  await laptop.close();
});

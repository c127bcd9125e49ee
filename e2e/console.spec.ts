import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// Screenshots go to artifacts/: Playwright empties test-results/ on every run.
const ARTIFACTS = 'artifacts';
const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  wall: { width: 2560, height: 1440 },
  wall4k: { width: 3840, height: 2160 },
} as const;

const currentRows = (page: Page) => page.locator('tr.task-row.current');
const historyRows = (page: Page) => page.locator('tr.task-row.history');

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

test.use({ viewport: VIEWPORTS.laptop });

test('create a service, watch it converge live, roll a new image, read the slot history', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  // the manager plus three simulated workers
  const nodes = page.getByRole('article', { name: /^Node / });
  await expect(nodes).toHaveCount(4);
  await expect(page.getByTestId('leader-ribbon')).toHaveCount(1);
  await expect(nodes.getByText('Simulated', { exact: true }).first()).toBeVisible();
  await shoot(page, 'overview');

  await page.getByRole('link', { name: 'Create service' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create service');
  await page.getByLabel('Image').fill('nginx:alpine');
  await page.getByLabel('Name').fill('web');
  await page.getByLabel('Replicas').fill('3');
  await page.getByRole('button', { name: 'Create service' }).click();

  await expect(page).toHaveURL(/\/services\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('web');
  // from here on nothing may reload the page: everything arrives over the socket
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await expect(currentRows(page)).toHaveCount(3);
  await expect(currentRows(page).filter({ hasText: /Running (less than a second|\d+ seconds?) ago/ })).toHaveCount(3, {
    timeout: 60_000,
  });
  await expect(page.locator('tr.task-row.current[data-state="running"]')).toHaveCount(3);
  await expect(page.getByLabel('3 of 3 replicas running')).toBeVisible();

  // roll a new image: every slot gets a new task, the old one is superseded
  await page.getByLabel('Image').fill('nginx:1.27');
  await page.getByRole('button', { name: 'Update image' }).click();
  await expect(page.locator('tr.task-row.current[data-state="running"]').filter({ hasText: 'nginx:1.27' })).toHaveCount(
    3,
    { timeout: 90_000 },
  );
  await expect(page.getByLabel('Update status')).toContainText(/completed|updating/);

  // history is collapsed by default, one click per slot opens it
  await expect(historyRows(page)).toHaveCount(0);
  const toggles = page.getByRole('button', { name: /^Show 1 older task of web\.\d+$/ });
  await expect(toggles).toHaveCount(3);
  await page.getByRole('button', { name: 'Show 1 older task of web.1' }).click();
  await expect(historyRows(page)).toHaveCount(1);
  const old = historyRows(page).first();
  await expect(old).toContainText('\\_ web.1');
  await expect(old).toContainText('nginx:alpine');
  await expect(old).toContainText(/Shutdown/);
  // the superseded row sits right under its slot's current row
  await expect(page.locator('tr.task-row[data-slot="slot:1"]')).toHaveCount(2);

  await page.getByLabel('Show all history').check();
  await expect(historyRows(page)).toHaveCount(3);
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  await shoot(page, 'service-page');
});

test('theme toggle persists without a flash of the other theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/services');
  const toggle = page.getByRole('button', { name: /^Theme:/ });
  await expect(toggle).toHaveAccessibleName(/Theme: Auto/);
  await toggle.click(); // → Light
  await toggle.click(); // → Dark
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // the stored choice is applied before first paint: check at DOMContentLoaded, before hydration matters
  await page.reload({ waitUntil: 'domcontentloaded' });
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(13, 16, 21)');
  await page.getByRole('button', { name: /^Theme:/ }).click(); // → Contrast: white on black
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'contrast');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(0, 0, 0)');
  expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(255, 255, 255)');
  await page.screenshot({ path: `${ARTIFACTS}/theme-contrast-laptop.png` });
  await page.getByRole('button', { name: /^Theme:/ }).click(); // → Auto
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
});

test('drain and re-activate a node from the overview', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const card = page
    .getByRole('article', { name: /^Node / })
    .filter({ hasNotText: 'Leader' })
    .first();
  const name = (await card.locator('h3').textContent())!;
  await card.getByRole('button', { name: `Drain ${name}` }).click();
  await expect(card.getByRole('button', { name: `Drain ${name}` })).toHaveAttribute('aria-pressed', 'true');
  await expect(card.getByTestId('node-running')).toHaveText('0', { timeout: 60_000 });
  await card.getByRole('button', { name: `Activate ${name}` }).click();
  await expect(card.getByRole('button', { name: `Activate ${name}` })).toHaveAttribute('aria-pressed', 'true');
});

test('a task that cannot be placed says why, in full', async ({ page }) => {
  await page.goto('/services/new');
  await page.getByLabel('Image').fill('redis:7');
  await page.getByLabel('Name').fill('stuck');
  await page.getByLabel('Replicas').fill('1');
  await page.getByLabel(/Constraints/).fill('node.labels.zone==nowhere');
  await page.getByLabel(/Memory reservation/).fill('64');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('stuck');
  const row = page.locator('tr.task-row.current[data-state="pending"]');
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText('Not scheduled');
  await expect(row).toContainText(/no suitable node \(.*constraint/i);
  await expect(page.getByText('64 MiB')).toBeVisible();
  await expect(page.getByLabel('0 of 1 replicas running')).toBeVisible();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/pending-task.png`, fullPage: true });

  // remove it, with a confirmation step
  await page.getByRole('button', { name: 'Remove…' }).click();
  await page.getByRole('button', { name: 'Remove stuck' }).click();
  await expect(page).toHaveURL(/\/services$/);
  await expect(page.getByRole('link', { name: 'stuck' })).toHaveCount(0);
});

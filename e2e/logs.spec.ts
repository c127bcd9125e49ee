import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// Screenshots go to artifacts/: Playwright empties test-results/ on every run.
const ARTIFACTS = 'artifacts';
const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  wall4k: { width: 3840, height: 2160 },
} as const;

const rows = (page: Page) => page.locator('[data-testid="log-view"] .log-rows .log-row');

test.use({ viewport: VIEWPORTS.laptop });

test('a service’s live logs: lines from every task arrive, filter, pause and per-task view', async ({
  page,
  request,
}) => {
  // simulated tasks print a start line and then a line every 3 s
  const created = await request.post('/api/services', {
    data: { name: 'chatty', image: 'nginx:alpine', mode: 'replicated', replicas: 3 },
  });
  expect(created.ok()).toBe(true);
  const { ID } = (await created.json()) as { ID: string };

  await page.goto(`/services/${ID}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('chatty');
  await expect(page.locator('tr.task-row.current[data-state="running"]')).toHaveCount(3, { timeout: 60_000 });
  await page.getByRole('link', { name: 'Logs', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${ID}/logs$`));

  const view = page.getByTestId('log-view');
  await expect(view.getByText('Live', { exact: true })).toBeVisible();
  // every task's start line, each prefixed service.slot@node
  for (const slot of [1, 2, 3])
    await expect(
      rows(page)
        .filter({ hasText: `chatty.${slot} starting` })
        .first(),
    ).toBeVisible();
  await expect(rows(page).first().locator('.log-prefix')).toHaveText(/^chatty\.[123]@\S+$/);

  // new lines keep arriving while the page stays open
  const before = await rows(page).count();
  await expect.poll(async () => rows(page).count(), { timeout: 20_000 }).toBeGreaterThan(before + 2);
  await expect(
    rows(page)
      .filter({ hasText: /"GET \S+ HTTP\/1\.1"/ })
      .first(),
  ).toBeVisible();

  // pause freezes the view while lines keep coming
  await view.getByRole('button', { name: 'Pause' }).click();
  const frozen = await rows(page).count();
  await expect(view.getByText(/^Paused · [1-9]\d* new$/)).toBeVisible({ timeout: 20_000 });
  expect(await rows(page).count()).toBe(frozen);
  await view.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(async () => rows(page).count()).toBeGreaterThan(frozen);

  // text filter
  await view.getByPlaceholder('Filter lines…').fill('chatty.2 starting');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('chatty.2 starting');
  await view.getByPlaceholder('Filter lines…').fill('');

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await expect(rows(page).first()).toBeVisible();
      await page.screenshot({ path: `${ARTIFACTS}/logs-${scheme}-${vp}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);

  // one task's logs, from its row on the service page
  await page.goto(`/services/${ID}`);
  const firstTask = page.locator('tr.task-row.current').first();
  const taskID = await firstTask.getAttribute('data-task-id');
  await firstTask.getByRole('link', { name: /^Logs of chatty\.\d/ }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${ID}/logs\\?task=${taskID}$`));
  await expect(rows(page).first()).toBeVisible();
  const prefixes = await rows(page).locator('.log-prefix').allTextContents();
  expect(new Set(prefixes).size).toBe(1);
});

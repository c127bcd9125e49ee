import { mkdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ENGINE } from './ports';

// Jobs in the console: a replicated job on the simulated workers fills its
// slots wave by wave to "Job complete", "Run again" starts iteration #1, and a
// job whose tasks keep failing shows its retries and the slots that gave up.
// Screenshots (light and dark) go to artifacts/.

const ARTIFACTS = 'artifacts';
const ENGINE = `${E2E_ENGINE}/v1.50`;
const panel = (page: Page) => page.getByRole('region', { name: 'Job progress' });

/** `docker service create --mode replicated-job …` as the CLI sends it (no UpdateConfig). */
async function createJob(request: APIRequestContext, name: string, env: string[], extra: object = {}) {
  const r = await request.post(`${ENGINE}/services/create`, {
    data: {
      Name: name,
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox', Env: env },
        RestartPolicy: { Condition: 'any', Delay: 200_000_000 },
        ...extra,
      },
      Mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 6 } },
    },
  });
  expect(r.status(), await r.text()).toBe(201);
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // cells fade their colours over 200 ms: a picture right after the switch shows them half-way
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.use({ viewport: { width: 1366, height: 900 } });

test('a job from start to complete, run again, and a failing job that gives up', async ({ page, request }) => {
  test.setTimeout(180_000);
  await createJob(request, 'e2e-batch', ['SWARMDECK_SIM_EXIT_AFTER=1500ms']);
  await page.goto('/services/e2e-batch');
  const p = panel(page);
  await expect(p.getByRole('heading', { name: 'Job running' })).toBeVisible();
  // never more than MaxConcurrent at once while it runs
  await expect(p.getByTestId('job-running')).toHaveText(/^[0-2] of [0-2]$/);
  await shoot(page, 'job-running');
  await expect(p.getByRole('heading', { name: 'Job complete' })).toBeVisible({ timeout: 60_000 });
  await expect(p.getByTestId('job-completed')).toHaveText('6 of 6 completed');
  await expect(p.getByRole('list', { name: 'Job slots' }).locator('[data-job-state="complete"]')).toHaveCount(6);

  await page.getByRole('button', { name: 'Run again' }).click();
  await expect(p.getByTestId('job-iteration')).toHaveText('#1');
  await expect(p.getByRole('heading', { name: 'Job complete' })).toBeVisible({ timeout: 60_000 });
  await expect(p.getByText('6 tasks of earlier iterations kept as history (below).')).toBeVisible();

  await createJob(request, 'e2e-failing', ['SWARMDECK_SIM_EXIT_CODE=1', 'SWARMDECK_SIM_EXIT_AFTER=200ms'], {
    RestartPolicy: { Condition: 'on-failure', Delay: 100_000_000, MaxAttempts: 1 },
  });
  await page.goto('/services/e2e-failing');
  await expect(p.getByRole('heading', { name: 'Job stopped: attempts used up' })).toBeVisible({ timeout: 60_000 });
  await expect(p.getByTestId('job-given-up')).toHaveText('6 slots');
  await expect(p.getByTestId('job-failed')).toHaveText('12');
  await shoot(page, 'job-stopped');

  await page.goto('/services');
  const row = page.getByRole('row').filter({ hasText: 'e2e-batch' });
  await expect(row.getByLabel(/6 of 6 completed, iteration 1/)).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'e2e-failing' })).toContainText('stopped · 12 failed');
  await shoot(page, 'job-list');
});

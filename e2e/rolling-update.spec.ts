import { mkdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { ServiceSpec } from '../server/api/types';
import { E2E_ENGINE } from './ports';

// Rolling updates on the simulated workers: start one from the console, watch
// the strip fill in cell by cell, pause it with a spec whose tasks fail, roll
// back from the button, and diff two spec versions. Screenshots of the progress
// view (mid-update and paused; 6 and 120 slots; laptop and 4K; light and dark)
// go to artifacts/.

const ARTIFACTS = 'artifacts';
const ENGINE = `${E2E_ENGINE}/v1.50`;
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, wall4k: { width: 3840, height: 2160 } } as const;

const panel = (page: Page) => page.getByRole('region', { name: 'Update status' });
const count = (page: Page, state: string) => page.getByTestId(`count-${state}`).first();

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png` });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
}

/** `docker service update --env-add …`: a new spec through the Engine API, as the CLI sends it. */
async function engineUpdate(request: APIRequestContext, id: string, edit: (spec: ServiceSpec) => void) {
  const svc = await (await request.get(`${ENGINE}/services/${id}`)).json();
  const spec = structuredClone(svc.Spec) as ServiceSpec;
  edit(spec);
  const r = await request.post(`${ENGINE}/services/${id}/update?version=${svc.Version.Index}`, { data: spec });
  expect(r.status(), await r.text()).toBe(200);
}

const failingEnv = (spec: ServiceSpec) => {
  const cs = spec.TaskTemplate.ContainerSpec;
  cs.Env = [...(cs.Env ?? []), 'SWARMDECK_SIM_EXIT_CODE=1', 'SWARMDECK_SIM_EXIT_AFTER=300ms'];
  spec.UpdateConfig = { ...(spec.UpdateConfig ?? {}), FailureAction: 'pause', MaxFailureRatio: 0, Delay: 0 };
};

async function startUpdate(
  page: Page,
  image: string,
  settings: { parallelism: number; delay: number; monitor: number },
) {
  const form = page.getByRole('form', { name: 'Start an update' });
  await form.getByText('Rollout settings').click();
  await form.getByLabel('Parallelism').fill(String(settings.parallelism));
  await form.getByLabel('Delay (s)').fill(String(settings.delay));
  await form.getByLabel('Monitor (s)').fill(String(settings.monitor));
  await form.getByLabel('On failure').selectOption('pause');
  await form.getByLabel('Image').fill(image);
  await form.getByRole('button', { name: 'Update image' }).click();
}

test.use({ viewport: VIEWPORTS.laptop });

test('a rolling update from the console: live strip, failure pause, roll back, spec diff', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  await page.goto('/services/new');
  await page.getByLabel('Image').fill('nginx:1.26');
  await page.getByLabel('Name').fill('roll');
  await page.getByLabel('Replicas').fill('6');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('roll');
  const id = page.url().split('/').pop()!;
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await expect(page.getByLabel('6 of 6 replicas running')).toBeVisible({ timeout: 60_000 });

  // 1. start an update with parallelism 2 and a 4 s delay; watch the cells fill in
  await startUpdate(page, 'nginx:1.27', { parallelism: 2, delay: 4, monitor: 2 });
  await expect(panel(page)).toHaveAttribute('data-phase', 'updating');
  const strip = panel(page).getByRole('list', { name: /^Slots updated/ });
  await expect(strip.getByRole('listitem')).toHaveCount(6);
  const seen = new Set<string>();
  let shot = false;
  await expect
    .poll(
      async () => {
        const done = Number(await count(page, 'running').textContent());
        seen.add(String(done));
        if (!shot && done >= 2 && done <= 4) {
          shot = true;
          await shoot(page, 'rollout-6-mid');
        }
        return done;
      },
      { timeout: 90_000, intervals: [150] },
    )
    .toBe(6);
  // it went there in steps, not all at once
  expect([...seen].filter((n) => n !== '0' && n !== '6').length).toBeGreaterThan(0);
  await expect(panel(page)).toHaveAttribute('data-phase', 'completed', { timeout: 30_000 });
  await expect(page.getByTestId('rollout-count')).toHaveText('6 of 6 updated');

  // 2. a new spec whose tasks exit 1: the first failure pauses the update
  await engineUpdate(request, id, (spec) => {
    failingEnv(spec);
    spec.UpdateConfig!.Parallelism = 1;
  });
  await expect(panel(page)).toHaveAttribute('data-phase', 'paused', { timeout: 60_000 });
  const blocker = panel(page).getByRole('alert');
  await expect(blocker).toContainText('Update paused');
  await expect(blocker).toContainText('task: non-zero exit (1)');
  await expect(page.getByTestId('update-message')).toContainText(
    'update paused due to failure or early termination of task',
  );
  await expect(count(page, 'failed')).not.toHaveText('0');
  await shoot(page, 'rollout-6-paused');

  // 3. roll back from the button
  await panel(page).getByRole('button', { name: 'Roll back' }).click();
  await panel(page).getByRole('button', { name: 'Confirm roll back' }).click();
  await expect(panel(page)).toHaveAttribute('data-phase', /rolling-back|rolled-back/);
  await expect(panel(page)).toHaveAttribute('data-phase', 'rolled-back', { timeout: 90_000 });
  await expect(page.getByTestId('rollout-count')).toHaveText('6 of 6 rolled back');

  // 4. spec history: diff the first version against the failing one
  const history = page.getByRole('region', { name: /Spec history/ });
  await expect(history.getByRole('row', { name: /v4/ })).toBeVisible();
  await history.getByLabel('Diff from v1').check();
  await history.getByLabel('Diff to v3').check();
  const diff = page.getByRole('list', { name: 'Spec differences' });
  await expect(diff).toContainText('TaskTemplate.ContainerSpec.Image');
  await expect(diff).toContainText('"nginx:1.26"');
  await expect(diff).toContainText('SWARMDECK_SIM_EXIT_CODE=1');
  await expect(diff).toContainText('UpdateConfig.Parallelism');
  // superseded rows say which version they ran
  await page.getByLabel('Show all history').check();
  await expect(page.locator('tr.task-row.history').filter({ hasText: 'v1 · nginx:1.26' }).first()).toBeVisible();
  await expect(page.locator('tr.task-row.history').filter({ hasText: 'v3 · nginx:1.27' }).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await page.screenshot({ path: `${ARTIFACTS}/rollout-6-history.png`, fullPage: true });

  // 5. restore v1 from the history: a real rollout back to nginx:1.26
  await history.getByRole('button', { name: 'Roll back to v1' }).click();
  await history.getByRole('button', { name: 'Restore v1' }).click();
  await expect(history.getByRole('row', { name: /v5/ })).toContainText('restore');
  await expect(panel(page)).toHaveAttribute('data-phase', 'completed', { timeout: 60_000 });
});

test('120 slots stay readable: mid-update and paused', async ({ page, request }) => {
  test.setTimeout(300_000);
  const created = await request.post('/api/services', {
    data: { name: 'wide', image: 'nginx:1.26', mode: 'replicated', replicas: 120 },
  });
  expect(created.status()).toBe(201);
  const { ID: id } = await created.json();
  await page.goto(`/services/${id}`);
  await expect(page.getByLabel('120 of 120 replicas running')).toBeVisible({ timeout: 120_000 });

  await startUpdate(page, 'nginx:1.27', { parallelism: 8, delay: 3, monitor: 2 });
  await expect(panel(page)).toHaveAttribute('data-phase', 'updating');
  await expect(
    panel(page)
      .getByRole('list', { name: /^Slots updated/ })
      .getByRole('listitem'),
  ).toHaveCount(120);
  await expect
    .poll(async () => Number(await count(page, 'running').textContent()), { timeout: 60_000 })
    .toBeGreaterThan(20);
  await shoot(page, 'rollout-120-mid');

  await engineUpdate(request, id, (spec) => {
    failingEnv(spec);
    spec.UpdateConfig!.Parallelism = 8;
  });
  await expect(panel(page)).toHaveAttribute('data-phase', 'paused', { timeout: 90_000 });
  await expect(panel(page).getByRole('alert')).toContainText('task: non-zero exit (1)');
  await shoot(page, 'rollout-120-paused');
  await request.delete(`/api/services/${id}`);
});

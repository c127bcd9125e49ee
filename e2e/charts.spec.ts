// The live charts (#13 §3): the overview and the wall's raft view draw the numbers GET /metrics serves,
// pushed once a second. A `docker service scale` moves the tasks chart's latest value to what /metrics
// says, the boxes never move while the values do, and screenshots at laptop size in light and dark are
// kept to be looked at.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { parsePrometheusText, sampleValue } from '../server/metrics/test-support';
import { E2E_ENGINE as ENGINE } from './ports';
import { waitLive } from './roles';

const ARTIFACTS = 'artifacts';
const RUN = Date.now().toString(36);
const NAME = `charts-${RUN}`;
const run = promisify(execFile);

const docker = (...args: string[]) =>
  run('/usr/local/bin/docker', args, { env: { ...process.env, DOCKER_HOST: ENGINE.replace('http:', 'tcp:') } });

async function metric(name: string): Promise<number> {
  const res = await fetch(`${ENGINE}/metrics`);
  expect(res.status).toBe(200);
  return sampleValue(parsePrometheusText(await res.text()), name);
}

/** The latest value a chart's caption reads (its first line's). */
async function latest(page: Page, chart: string): Promise<number> {
  return Number(await page.getByTestId(`chart-${chart}-latest`).getAttribute('data-value'));
}

/** Where every chart box sits: they must not move when values change. */
async function boxes(page: Page) {
  return page.locator('.spark').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return [r.x, r.y, r.width, r.height].map(Math.round);
    }),
  );
}

test.afterAll(async () => {
  await docker('service', 'rm', NAME).catch(() => undefined);
});

test('the overview charts move with a scale, to what /metrics says, without moving their boxes', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  await waitLive(page);
  const charts = page.getByTestId('live-charts-overview');
  await expect(charts.locator('.spark')).toHaveCount(5);
  // the ring arrives on connect: the tasks line is drawn at once
  await expect(charts.locator('[data-chart="tasks"] .spark-line-0')).toHaveAttribute('d', /^M/);
  const before = await boxes(page);

  // other specs' services share the cluster: count from what runs now
  const base = await metric('swarmdeck_service_tasks_running');
  await docker('service', 'create', '--detach', '--name', NAME, '--replicas', '1', 'nginx:alpine');
  await docker('service', 'scale', '--detach', `${NAME}=4`);
  await expect.poll(() => latest(page, 'tasks'), { timeout: 30_000 }).toBe(base + 4);
  expect(await metric('swarmdeck_service_tasks_running')).toBe(base + 4);
  // the headline and the chart count the same way
  await expect(page.getByTestId('tasks-running')).toHaveText(new RegExp(`^${base + 4}/`));

  await docker('service', 'scale', '--detach', `${NAME}=7`);
  await expect.poll(() => latest(page, 'tasks'), { timeout: 30_000 }).toBe(base + 7);
  expect(await metric('swarmdeck_service_tasks_running')).toBe(base + 7);
  await expect(page.getByTestId('tasks-running')).toHaveText(new RegExp(`^${base + 7}/`));
  // the docker CLI's requests show as a rate. The rate is per sample (a second), and the scale's own
  // requests may be seconds old once its tasks run (a slow run), so each poll asks the CLI once more.
  await expect
    .poll(async () => {
      await docker('service', 'inspect', NAME);
      return latest(page, 'api-requests');
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('chart-commits-latest')).not.toHaveText('–');
  expect(await boxes(page)).toEqual(before);

  mkdirSync(ARTIFACTS, { recursive: true });
  const section = page.locator('section[aria-labelledby="live-h"]');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${ARTIFACTS}/charts-overview-${scheme}-laptop.png` });
    await section.screenshot({ path: `${ARTIFACTS}/charts-section-${scheme}-laptop.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  // the high-contrast theme draws them from its own colours
  await page.evaluate(() => (document.documentElement.dataset.theme = 'contrast'));
  await section.screenshot({ path: `${ARTIFACTS}/charts-section-contrast-laptop.png` });
});

for (const [size, viewport] of Object.entries({
  uhd: { width: 3840, height: 2160 },
  laptop: { width: 1366, height: 768 },
})) {
  test(`the wall's raft view at ${size} shows its charts whole, inside the screen`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/wall?view=raft');
    await waitLive(page);
    const charts = page.getByTestId('live-charts-raft');
    await expect(charts.locator('.spark')).toHaveCount(3);
    await expect(page.getByTestId('chart-commits-latest')).not.toHaveText('–');
    const leaderChanges = await metric('swarmdeck_raft_leader_changes_total');
    await expect.poll(() => latest(page, 'leader-changes')).toBe(leaderChanges);
    // every chart is inside the screen (the raft view hides what would spill)
    for (const box of await boxes(page)) {
      expect(box[0]! + box[2]!).toBeLessThanOrEqual(viewport.width);
      expect(box[1]! + box[3]!).toBeLessThanOrEqual(viewport.height);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/charts-wall-raft-${size}.png` });
  });
}

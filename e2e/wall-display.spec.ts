// The wall at 4K and at laptop size: sized to be read from across the room,
// never scrolling or spilling, rotating (or pinned from the URL), an alert
// strip that names pending tasks with their reason, and nothing to press.
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { BURN_IN_STEP_MS, burnInOffset } from '../components/theme/burn-in';
import { waitLive } from './roles';

const ARTIFACTS = 'artifacts';
const SIZES = {
  uhd: { width: 3840, height: 2160 },
  laptop: { width: 1366, height: 768 },
  // a 32:9 wall (two 16:9 panels side by side): the map must use the width, not a 16:9 box in the middle
  ultrawide: { width: 5120, height: 1440 },
} as const;
const RUN = Date.now().toString(36);

test.beforeAll(async ({ request }) => {
  const web = await request.post('/api/services', {
    data: { name: `wall-web-${RUN}`, image: 'nginx:alpine', mode: 'replicated', replicas: 4 },
  });
  expect(web.status(), await web.text()).toBe(201);
  // tasks no node can take: the alert strip says so, with the scheduler's reason
  const stuck = await request.post('/api/services', {
    data: {
      name: `wall-stuck-${RUN}`,
      image: 'nginx:alpine',
      mode: 'replicated',
      replicas: 2,
      constraints: ['node.labels.wall-nowhere==yes'],
    },
  });
  expect(stuck.status(), await stuck.text()).toBe(201);
});

/** Nothing scrolls and nothing is cut: the page and every task list keep their content inside. */
async function expectNoOverflow(page: Page): Promise<void> {
  const spill = await page.evaluate(() => {
    const doc = document.scrollingElement!;
    const out: string[] = [];
    if (doc.scrollHeight > window.innerHeight || doc.scrollWidth > window.innerWidth) out.push('page scrolls');
    for (const el of document.querySelectorAll<HTMLElement>('.wall-tasks, .wall-map, .wall-body')) {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
        out.push(`${el.className} ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
      }
    }
    return out;
  });
  expect(spill).toEqual([]);
}

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`the wall at ${size}: readable, full, no scroll, alerts, nothing to press`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto('/wall?view=map');
    await waitLive(page);
    const wall = page.getByTestId('wall');
    await expect(wall.locator('.wall-node')).toHaveCount(5); // 4 nodes and the not-placed box
    await expect(wall.locator('.wall-map')).toHaveAttribute('data-density', 'cards');
    // other specs' services may share the cluster: count this run's
    await expect(wall.locator(`.wall-task[data-state="running"][title^="wall-web-${RUN}."]`)).toHaveCount(4);
    await expect(page.getByTestId('wall-view')).toHaveText('Cluster map');
    const alerts = page.getByTestId('wall-alerts');
    await expect(alerts).toContainText(`wall-stuck-${RUN}: 2 tasks pending`);
    await expect(alerts.locator('[data-kind="pending"]').first()).toContainText(/no suitable node|constraint/);

    const card = (await wall.locator('.wall-task').first().boundingBox())!;
    const figure = await wall
      .locator('.wall-figure')
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    if (size === 'uhd') {
      expect(card.height).toBeGreaterThanOrEqual(48);
      expect(figure).toBeGreaterThanOrEqual(96);
    }
    // the map fills the screen: no dead quarter (its boxes reach the right edge and most of the height)
    const map = (await wall.locator('.wall-map').boundingBox())!;
    expect(map.width).toBeGreaterThan(viewport.width * 0.9);
    expect(map.height).toBeGreaterThan(viewport.height * 0.6);
    await expectNoOverflow(page);
    await expect(page.locator('button, a, input, select, textarea, [role="button"], [tabindex]')).toHaveCount(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/wall-map-${size}.png` });

    await page.goto('/wall?view=raft');
    await waitLive(page);
    await expect(page.getByTestId('wall-view')).toHaveText('Raft and quorum');
    await expect(page.locator('.wall-quorum')).toContainText('can lose');
    await expectNoOverflow(page);
    await page.screenshot({ path: `${ARTIFACTS}/wall-raft-${size}.png` });
  });
}

test('the wall turns through its views on the interval from the URL, with a progress tick', async ({ page }) => {
  await page.setViewportSize(SIZES.laptop);
  await page.goto('/wall?interval=5');
  await waitLive(page);
  const title = page.getByTestId('wall-view');
  await expect(title).toHaveText('Cluster map');
  await expect(title.locator('.wall-tick')).toHaveCount(1);
  // map → updates → topology → raft → events → map; the updates view only while a rollout is on the wall
  // (another spec's may be, in this shared cluster): without one, the map stays through its turn too
  await expect(title).toHaveText(/^(Rolling updates|Network topology)$/, { timeout: 13_000 });
  if ((await title.innerText()) === 'Rolling updates')
    await expect(title).toHaveText('Network topology', { timeout: 8_000 });
  for (const next of ['Raft and quorum', 'Events', 'Cluster map'])
    await expect(title).toHaveText(next, { timeout: 8_000 });
});

test('the whole wall stands at the burn-in offset of the moment, by its own translate', async ({ page }) => {
  await page.setViewportSize(SIZES.laptop);
  await page.goto('/wall?view=raft');
  await waitLive(page);
  const wall = page.getByTestId('wall');
  const now = Date.now();
  // computed as `x` or `x y` in px (a zero y is left out); 'none' is a wall that never moved
  const [x = NaN, y = 0] = (await wall.evaluate((el) => getComputedStyle(el).translate)).split(' ').map(parseFloat);
  // the step may turn between the page's reading and this one
  const near = [now - BURN_IN_STEP_MS, now, now + BURN_IN_STEP_MS].map((t) => burnInOffset(t));
  expect(near).toContainEqual({ x, y });
  // on the wall itself, not a custom property every element inherits
  expect(await page.evaluate(() => document.documentElement.style.cssText)).toBe('');
});

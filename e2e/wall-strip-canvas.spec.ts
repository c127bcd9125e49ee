// A rollout of hundreds of slots on the wall is one canvas, not an element per slot. Read back from
// Chromium's own pixels: each cell shows its state's colour, in the counts the canvas tells a screen
// reader, so a painter that drew the wrong state, the wrong place or nothing at all fails here.
import { mkdirSync } from 'node:fs';
import { expect, test, type Locator } from '@playwright/test';
import type { ServiceSpec } from '../server/api/types';
import { engineClient, runningTasks, updateState } from './engine';
import { E2E_ENGINE } from './ports';
import { waitLive } from './roles';

const engine = engineClient(`${E2E_ENGINE}/v1.50`);
const REPLICAS = 200;
const RUN = Date.now().toString(36);

test.use({ viewport: { width: 3840, height: 2160 }, colorScheme: 'dark' });

test('a 200-slot rollout on the wall is a canvas whose cells show their states', async ({ page }) => {
  const name = `wall-canvas-${RUN}`;
  const created = await engine<{ ID: string }>('POST', '/services/create', {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'nginx:1.26' } },
    Mode: { Replicated: { Replicas: REPLICAS } },
    UpdateConfig: { Parallelism: 20, FailureAction: 'pause', MaxFailureRatio: 0, Delay: 0 },
  });
  try {
    await expect.poll(() => runningTasks(engine, name), { timeout: 60_000 }).toBe(REPLICAS);
    // new tasks that fail as they start: the first batch fails and the updater pauses, old slots stay old
    const svc = await engine<{ Spec: ServiceSpec; Version: { Index: number } }>('GET', `/services/${created.ID}`);
    const spec = structuredClone(svc.Spec);
    spec.TaskTemplate.ContainerSpec.Env = ['SWARMDECK_SIM_FAIL=start'];
    await engine('POST', `/services/${created.ID}/update?version=${svc.Version.Index}`, spec);
    await expect.poll(() => updateState(engine, created.ID), { timeout: 60_000 }).toBe('paused');

    await page.goto('/wall?view=updates');
    await waitLive(page);
    const card = page.locator('.wall-update', { has: page.getByRole('heading', { name }) });
    await expect(card).toHaveAttribute('data-phase', 'paused');
    const strip = card.getByRole('img', { name: new RegExp(`^${name} rollout: 200 slots`) });
    await expect(strip).toBeVisible();
    await expect(card.locator('.slot-cell')).toHaveCount(0);
    // the label settles once the paused rollout's failed tasks are all reported
    await expect(strip).toHaveAttribute('aria-label', /\d+ failed$/);

    const { said, painted } = await paintedAndSaid(strip);
    expect(said['previous spec']).toBeGreaterThan(0);
    expect(said.failed).toBeGreaterThan(0);
    expect(painted).toEqual(said);
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/wall-strip-canvas-uhd.png' });
    // the theme turns: the strip reads its colours again and paints them (each state in the light theme's)
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    await expect.poll(async () => (await paintedAndSaid(strip)).painted, { timeout: 5_000 }).toEqual(said);
    await page.screenshot({ path: 'artifacts/wall-strip-canvas-uhd-light.png' });
  } finally {
    await engine('DELETE', `/services/${created.ID}`).catch(() => undefined);
  }
});

/** The strip's cells as its pixels show them (by the state whose colour each is) and as its label says them. */
function paintedAndSaid(strip: Locator): Promise<{ said: Record<string, number>; painted: Record<string, number> }> {
  return strip.evaluate((canvas: HTMLCanvasElement) => {
    const probe = canvas.parentElement!.querySelector<HTMLElement>('.strip-canvas-probe')!;
    const cell = probe.getBoundingClientRect().width;
    const gap = probe.getBoundingClientRect().height;
    const css = canvas.getBoundingClientRect();
    const dpr = canvas.width / css.width;
    const perRow = Math.max(1, Math.floor((css.width + gap) / (cell + gap)));
    // each state's colour at the point sampled: the top middle of a cell (inside the frame, off the cross)
    const rgb = (v: string) => {
      probe.style.color = `var(${v})`;
      return getComputedStyle(probe).color.match(/\d+/g)!.slice(0, 3).map(Number);
    };
    const states: Record<string, number[]> = {
      'previous spec': rgb('--surface-2'),
      failed: rgb('--bad'),
      updated: rgb('--ok'),
      starting: rgb('--info-soft'),
      'stopping old task': rgb('--warn-soft'),
      'rolled back': rgb('--accent'),
    };
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const label = canvas.getAttribute('aria-label')!;
    const total = Number(/: ([\d,]+) slots/.exec(label)![1]!.replace(/,/g, ''));
    const counts: Record<string, number> = {};
    for (let i = 0; i < total; i++) {
      const x = Math.round(((i % perRow) * (cell + gap) + cell * 0.5) * dpr);
      const y = Math.round((Math.floor(i / perRow) * (cell + gap) + cell * 0.15) * dpr);
      const o = (y * canvas.width + x) * 4;
      const got = [px[o]!, px[o + 1]!, px[o + 2]!];
      const near = Object.entries(states).find(([, c]) => c.every((v, k) => Math.abs(v - got[k]!) <= 3));
      const key = near ? near[0] : `rgb(${got.join(',')})`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const saidCounts: Record<string, number> = {};
    for (const m of label.matchAll(/, ([\d,]+) ([a-z ]+)/g)) saidCounts[m[2]!] = Number(m[1]!.replace(/,/g, ''));
    return { said: saidCounts, painted: counts };
  });
}

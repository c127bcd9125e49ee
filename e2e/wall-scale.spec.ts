// The wall with 500 nodes and 5,000 tasks: a manager of this spec's own with
// 499 simulated workers (the shared cluster stays small for the other specs),
// ten services of 500 replicas, and the real console drawing it at 3840×2160
// and 1366×768. The map turns to heat cells and nothing scrolls or spills, on
// any view. Screenshots go to artifacts/.
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { WALL_VIEWS } from '../components/wall/rotation-model';
import { E2E_ADMIN, logIn } from './auth';
import { startOwnManager, type OwnManager } from './own-manager';
import { extraPort } from './ports';

const ARTIFACTS = 'artifacts';
const SIZES = { uhd: { width: 3840, height: 2160 }, laptop: { width: 1366, height: 768 } } as const;
const NODES = 500;
const SERVICES = 10;
const REPLICAS = 500;
const TASKS = SERVICES * REPLICAS;
/** Tasks of a service whose constraint no node meets: pending, in the map's not-placed box. */
const UNPLACED = 40;

let manager: OwnManager | undefined;
test.afterAll(() => manager?.stop());

async function engine<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${manager!.engine}/v1.50${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** What spills: the page past the screen, or a box's content past the box (a node's cells, a lane's rows…). */
async function spills(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = document.scrollingElement!;
    const out: string[] = [];
    if (doc.scrollHeight > window.innerHeight || doc.scrollWidth > window.innerWidth)
      out.push(`page ${doc.scrollWidth}x${doc.scrollHeight} in ${window.innerWidth}x${window.innerHeight}`);
    const boxes = '.wall-body, .wall-map, .wall-tasks, .wall-topo, .wall-topo-services, .wall-ticker, .wall-updates';
    for (const el of document.querySelectorAll<HTMLElement>(boxes)) {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
        out.push(`${el.className} ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
    }
    return out;
  });
}

test('500 nodes and 5,000 tasks: heat cells, no scroll and no spill on any view, at 4K and laptop size', async ({
  browser,
}) => {
  test.setTimeout(3_000_000);
  const ports = { console: extraPort(51, 3151), engine: extraPort(52, 2551), cluster: extraPort(53, 2552) };
  manager = await startOwnManager(
    ports,
    '.tmp/e2e-wall-scale',
    ['--executor', 'sim', '--sim-workers', String(NODES - 1)],
    180_000,
  );
  await expect
    .poll(
      async () =>
        (await engine<{ Status: { State: string } }[]>('/nodes')).filter((n) => n.Status.State === 'ready').length,
      {
        timeout: 180_000,
        intervals: [2_000],
      },
    )
    .toBe(NODES);
  // every node takes an address on the ingress network, and the default one is a /24 (253 addresses,
  // as in Docker): a swarm of 500 needs a larger one, made as Docker's docs say (remove, create --ingress)
  const ingress = (await engine<{ Id: string; Name: string }[]>('/networks')).find((n) => n.Name === 'ingress')!;
  await engine(`/networks/${ingress.Id}`, undefined, 'DELETE');
  await engine('/networks/create', {
    Name: 'ingress',
    Driver: 'overlay',
    Ingress: true,
    IPAM: { Config: [{ Subnet: '10.255.0.0/16' }] },
  });
  const startedAt = Date.now();
  const running = async () =>
    (await engine<{ DesiredState: string; Status: { State: string } }[]>('/tasks')).filter(
      (t) => t.DesiredState === 'running' && t.Status.State === 'running',
    ).length;
  // one service at a time: ten creates of 500 at once is a burst the leader answers with 503s
  for (let i = 1; i <= SERVICES; i++) {
    await engine('/services/create', {
      Name: `scale-${String(i).padStart(2, '0')}`,
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
      Mode: { Replicated: { Replicas: REPLICAS } },
    });
    await expect.poll(running, { timeout: 300_000, intervals: [3_000] }).toBe(i * REPLICAS);
    console.log(`${i * REPLICAS} tasks running after ${Math.round((Date.now() - startedAt) / 1000)} s`);
  }

  // and tasks no node can take (a constraint none meets): the map's not-placed box paints them as cells too
  await engine('/services/create', {
    Name: 'nowhere',
    TaskTemplate: {
      ContainerSpec: { Image: 'nginx:alpine' },
      Placement: { Constraints: ['node.labels.nowhere==true'] },
    },
    Mode: { Replicated: { Replicas: UNPLACED } },
  });

  for (const [size, viewport] of Object.entries(SIZES)) {
    const ctx = await browser.newContext({ viewport });
    await logIn(ctx.request, E2E_ADMIN, manager.base);
    const page = await ctx.newPage();
    await page.goto(`${manager.base}/wall?view=map`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live', { timeout: 120_000 });
    const wall = page.getByTestId('wall');
    // the real console counts them all running (the headline reads the same tables the map draws)
    await expect(page.getByLabel('Tasks running').locator('.wall-figure')).toHaveText(`${TASKS}/${TASKS + UNPLACED}`, {
      timeout: 300_000,
    });
    await expect(page.getByLabel('Nodes ready').locator('.wall-figure')).toHaveText(`${NODES}/${NODES}`);
    await expect(wall.locator('.wall-map')).toHaveAttribute('data-density', 'cells');
    await expect(wall.locator('.wall-node')).toHaveCount(NODES + 1); // and the not-placed box
    expect(await spills(page)).toEqual([]);
    // the heat cells are one canvas over the map: every node's slot says its tasks, and each running task is
    // painted there in a square that is still visible, inside the screen, with room in the slot for all
    const readCells = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('.wall-cells-canvas')!;
        const origin = canvas.getBoundingClientRect();
        const dpr = canvas.width / origin.width;
        const nodeCell = Number(canvas.dataset.cell);
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const slots = [...document.querySelectorAll<HTMLElement>('.wall-node [data-cells-for]')];
        let running = 0;
        let pending = 0;
        let out = 0;
        let short = 0;
        let unpainted = 0;
        for (const slot of slots) {
          // a node's running tasks; the not-placed box's pending ones, in cells of its own size
          const unplaced = slot.closest('[data-condition="unplaced"]');
          const label = slot.getAttribute('aria-label') ?? '';
          const n = Number((unplaced ? /(\d+) pending/ : /(\d+) running/).exec(label)?.[1] ?? 0);
          if (unplaced) pending += n;
          else running += n;
          const cell = unplaced ? Number(slot.dataset.cell) : nodeCell;
          const r = slot.getBoundingClientRect();
          if (r.right > window.innerWidth || r.bottom > window.innerHeight || r.left < 0 || r.top < 0) out++;
          const perRow = Math.floor(r.width / cell);
          if (perRow * Math.floor(r.height / cell) < n) short++;
          // a running task is a filled square (its centre is opaque); a pending one a dashed frame: something
          // in its square is painted
          const inked = (left: number, top: number) => {
            for (let y = Math.floor(top * dpr); y < Math.floor((top + cell) * dpr); y++)
              for (let x = Math.floor(left * dpr); x < Math.floor((left + cell) * dpr); x++)
                if (px[(y * canvas.width + x) * 4 + 3]! > 0) return true;
            return false;
          };
          for (let i = 0; i < n; i++) {
            const left = r.left - origin.left + (i % perRow) * cell;
            const top = r.top - origin.top + Math.floor(i / perRow) * cell;
            if (unplaced) {
              if (!inked(left, top)) unpainted++;
              continue;
            }
            const x = Math.floor((left + 0.5 * cell) * dpr);
            const y = Math.floor((top + 0.5 * cell) * dpr);
            if (px[(y * canvas.width + x) * 4 + 3] !== 255) unpainted++;
          }
        }
        return { slots: slots.length, running, pending, out, short, unpainted, cell: nodeCell };
      });
    // the map redraws at the wall's pace: the headline may read 5,000 a moment before the cells do
    await expect.poll(async () => (await readCells()).running, { timeout: 10_000 }).toBe(TASKS);
    await expect.poll(async () => (await readCells()).pending, { timeout: 10_000 }).toBe(UNPLACED);
    const cells = await readCells();
    expect(cells).toEqual({
      slots: NODES + 1,
      running: TASKS,
      pending: UNPLACED,
      out: 0,
      short: 0,
      unpainted: 0,
      cell: cells.cell,
    });
    expect(cells.cell).toBeGreaterThanOrEqual(size === 'uhd' ? 12 : 4);
    if (size === 'uhd') {
      const figure = await wall
        .locator('.wall-figure')
        .first()
        .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      expect(figure).toBeGreaterThanOrEqual(96);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/wall-scale-map-${size}.png` });

    // the other views hold the same cluster without a scroll either
    for (const view of WALL_VIEWS.filter((v) => v !== 'map')) {
      await page.goto(`${manager.base}/wall?view=${view}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
      await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live', { timeout: 120_000 });
      await expect(wall).toHaveAttribute('data-view', view);
      if (view === 'ticker')
        await expect(page.getByTestId('wall-ticker').locator('.wall-ticker-row').first()).toBeVisible();
      if (view === 'topology') await expect(page.getByTestId('wall-topology')).toContainText('scale-01');
      expect(await spills(page), view).toEqual([]);
      if (view === 'topology' || view === 'ticker')
        await page.screenshot({ path: `${ARTIFACTS}/wall-scale-${view}-${size}.png` });
    }
    await ctx.close();
  }
});

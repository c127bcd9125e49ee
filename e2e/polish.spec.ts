import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { engine } from './engine';

// The console's rough edges (#13 §2): the headline against desired replicas, running updates on the
// overview, a crash-looping slot's restarts. Screenshots at 1366×768, both schemes, to be looked at.
const ARTIFACTS = 'artifacts';
test.use({ viewport: { width: 1366, height: 768 } });

const spec = (name: string, replicas: number, extra: Record<string, unknown> = {}, env: string[] = []) => ({
  Name: name,
  TaskTemplate: {
    ContainerSpec: { Image: `registry.example.com/team/${name}-with-a-long-image-name:2026.12.06`, Env: env },
    RestartPolicy: { Condition: 'on-failure', Delay: 300_000_000 },
    ...extra,
  },
  Mode: { Replicated: { Replicas: replicas } },
});

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-laptop.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('the overview counts against desired replicas, names the short services, shows a running update; a crash loop shows its restarts', async ({
  page,
}) => {
  const ids: string[] = [];
  // other specs share this cluster and may leave services of their own: count against what is there
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const headline = page.getByTestId('tasks-running');
  await expect(headline).toHaveText(/^\d+\/\d+$/);
  const [runningBefore, desiredBefore] = (await headline.innerText()).split('/').map(Number) as [number, number];
  try {
    // 4 nodes, at most one replica each: 4 of 5 can run
    ids.push(
      (await engine<{ ID: string }>('POST', '/services/create', spec('spread', 5, { Placement: { MaxReplicas: 1 } })))
        .ID,
    );
    ids.push(
      (await engine<{ ID: string }>('POST', '/services/create', spec('crashy', 1, {}, ['SWARMDECK_SIM_EXIT_CODE=3'])))
        .ID,
    );
    const rolling = (await engine<{ ID: string }>('POST', '/services/create', spec('rolling', 3))).ID;
    ids.push(rolling);

    await page.goto('/');
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    const degraded = page.getByTestId('degraded-services');
    await expect(degraded).toContainText('spread 4/5', { timeout: 30_000 });
    await expect(degraded).toContainText('crashy');
    // 9 more desired (5 + 1 + 3), of which 7 can run: spread's fifth has no node, crashy keeps failing
    await expect(headline).toHaveText(new RegExp(`^\\d+/${desiredBefore + 9}$`));
    await expect(headline).toHaveText(`${runningBefore + 7}/${desiredBefore + 9}`, { timeout: 30_000 });

    // a slow rollout (one slot a minute) stays on the overview while it runs
    const svc = await engine<{ Version: { Index: number }; Spec: Record<string, unknown> }>(
      'GET',
      `/services/${rolling}`,
    );
    const next = structuredClone(svc.Spec) as { TaskTemplate: { ForceUpdate: number }; UpdateConfig?: unknown };
    next.TaskTemplate.ForceUpdate = 1;
    next.UpdateConfig = { Parallelism: 1, Delay: 60_000_000_000, Order: 'stop-first' };
    await engine('POST', `/services/${rolling}/update?version=${svc.Version.Index}`, next);
    await expect(page.locator('.running-update').filter({ hasText: 'rolling' })).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('.running-update').getByTestId('update-done')).toHaveText(/^[0-3] of 3 updated$/);
    await expect(page.getByRole('region', { name: 'Updates in progress' })).toBeVisible();
    await shoot(page, 'overview-degraded');

    // the crash loop: restarts and the newest error on the slot's row, history collapsed
    await page.goto(`/services/${ids[1]}`);
    await expect(page.getByTestId('slot-restarts')).toHaveText(/↻ [1-9]\d* restarts?/, { timeout: 30_000 });
    await expect(page.locator('tr.task-row.current td.cell-error')).toContainText(/exit/i);
    await expect(page.locator('tr.task-row.history')).toHaveCount(0);
    await shoot(page, 'crash-loop');

    // a global service's strip: each hostname on one line above its glyph, never wrapped over it
    const global = await engine<{ ID: string }>('POST', '/services/create', {
      ...spec('everywhere', 0),
      Mode: { Global: {} },
    });
    ids.push(global.ID);
    await page.goto(`/services/${global.ID}`);
    const labels = page.locator('.rollout-strip .slot-cell-label');
    await expect(labels).toHaveCount(4, { timeout: 30_000 });
    await expect(labels.filter({ hasText: /^sim-worker-\d$/ })).toHaveCount(3);
    for (const label of await labels.all()) {
      const box = (await label.boundingBox())!;
      const lineHeight = await label.evaluate(
        (el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.5,
      );
      expect(box.height).toBeLessThanOrEqual(lineHeight + 1);
      // whole, not cut: the cell grows to fit the hostname
      expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      const glyph = (await label.locator('xpath=following-sibling::span').boundingBox())!;
      expect(glyph.y).toBeGreaterThanOrEqual(box.y + box.height - 1);
    }
    await shoot(page, 'global-strip');
  } finally {
    for (const id of ids) await engine('DELETE', `/services/${id}`).catch(() => undefined);
  }
});

import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { E2E_ENGINE } from './ports';

// A service's and a node's event timelines read the cluster's event log (the
// one `docker events` serves) and take new events as the socket pushes changes.

const ARTIFACTS = 'artifacts';

async function engine(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${E2E_ENGINE}/v1.50${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.use({ viewport: { width: 1366, height: 900 } });

test("a service's timeline shows its events and takes new ones live", async ({ page }) => {
  const { ID } = (await engine('POST', '/services/create', {
    Name: 'e2e-events',
    TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
    Mode: { Replicated: { Replicas: 1 } },
  })) as { ID: string };
  await page.goto(`/services/${ID}`);
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const timeline = page.getByTestId('event-timeline');
  await expect(timeline).toContainText('service e2e-events created');

  // a scale from the Engine API reaches the open page without a reload
  const svc = (await engine('GET', `/services/${ID}`)) as { Version: { Index: number }; Spec: Record<string, unknown> };
  await engine('POST', `/services/${ID}/update?version=${svc.Version.Index}`, {
    ...svc.Spec,
    Mode: { Replicated: { Replicas: 2 } },
  });
  await expect(timeline.locator('.timeline-row').first()).toContainText(/replicas 1 → 2|task e2e-events\.2/);
  await expect(timeline).toContainText('replicas 1 → 2');
  await expect(timeline).toContainText('task e2e-events.2 created');
  // every task state is behind the switch
  const rows = await timeline.locator('.timeline-row').count();
  await page.getByLabel('Show every task state').check();
  await expect.poll(() => timeline.locator('.timeline-row').count()).toBeGreaterThan(rows);
  await shoot(page, 'events-service');
  await engine('DELETE', `/services/${ID}`);
});

test("a node's timeline shows its availability changes as they happen", async ({ page }) => {
  const nodes = (await engine('GET', '/nodes')) as { ID: string; Spec: { Role: string } }[];
  const worker = nodes.find((n) => n.Spec.Role === 'worker')!;
  await page.goto(`/nodes/${worker.ID}`);
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const timeline = page.getByTestId('event-timeline');
  // loaded: the node's history is there (its "created" may already be past the newest rows, after the
  // specs before this one ran their tasks on it)
  await expect(timeline.locator('.timeline-row').first()).toBeVisible();
  await page.getByRole('button', { name: /^Pause / }).click();
  await expect(timeline.locator('.timeline-row').first()).toContainText('availability active → pause');
  await page.getByRole('button', { name: /^Active: activate / }).click();
  await expect(timeline.locator('.timeline-row').first()).toContainText('availability pause → active');
  await shoot(page, 'events-node');
});

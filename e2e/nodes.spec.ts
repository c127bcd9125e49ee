import { mkdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';

// Screenshots go to artifacts/: Playwright empties test-results/ on every run.
const ARTIFACTS = 'artifacts';
const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  wall4k: { width: 3840, height: 2160 },
} as const;
const WORKER_COMMAND = /^SWARMDECK_AGENT_TOKEN=(SWMTKN-1-[0-9a-z]+-[0-9a-z]+) swarmdeck agent --join \S+:\d+$/;

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
      await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}-${vp}.png`, fullPage });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(VIEWPORTS.laptop);
}

/** A simulated worker's card (not the leader's), and its name. */
async function workerCard(page: Page): Promise<{ card: Locator; name: string }> {
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const card = page
    .getByRole('article', { name: /^Node / })
    .filter({ hasNotText: 'Leader' })
    .first();
  const name = (await card.locator('h3').textContent())!.trim();
  return { card, name };
}

async function openNode(page: Page): Promise<string> {
  const { card, name } = await workerCard(page);
  await card.getByRole('link', { name }).click();
  await expect(page).toHaveURL(/\/nodes\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  return name;
}

test.use({ viewport: VIEWPORTS.laptop });

test('node detail: facts, add and remove a node label', async ({ page }) => {
  const name = await openNode(page);
  const facts = page.getByLabel('Node facts');
  await expect(facts).toContainText('Simulated');
  // how the node's tasks get a network identity (engine label com.swarmdeck.network.mode)
  await expect(facts).toContainText('Task network');
  await expect(facts).toContainText('linux/x86_64');
  await expect(facts).toContainText('4 CPU · 8.0 GiB');
  await expect(page.getByRole('list', { name: 'Engine labels' })).toContainText('com.swarmdeck.executor=sim');

  const labels = page.getByLabel(`Labels of ${name}`);
  const input = page.getByLabel('New label (key=value)');
  // the CLI's own validation text, before anything is sent
  await input.fill('=oops');
  await page.getByRole('button', { name: 'Add label' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "invalid label '=oops': empty name" })).toBeVisible();

  await input.fill('e2e.tier=front');
  await page.getByRole('button', { name: 'Add label' }).click();
  await expect(labels.locator('[data-label="e2e.tier"]')).toHaveText(/e2e\.tier=front/);
  await expect(input).toHaveValue('');
  // the overview card shows the same label, pushed over the socket
  await page.getByRole('link', { name: 'Overview' }).first().click();
  await expect(page.getByRole('article', { name: `Node ${name}` }).getByLabel('Node labels')).toContainText(
    'e2e.tier=front',
  );
  await page.goBack();

  await labels.getByRole('button', { name: 'Remove label e2e.tier' }).click();
  await expect(labels.locator('[data-label="e2e.tier"]')).toHaveCount(0);
});

test('pause and activate a node from its detail page', async ({ page }) => {
  const name = await openNode(page);
  const facts = page.getByLabel('Node facts');
  await page.getByRole('button', { name: `Pause ${name}` }).click();
  await expect(page.getByRole('button', { name: `Pause ${name}` })).toHaveAttribute('aria-pressed', 'true');
  await expect(facts).toContainText('pause');
  await page.getByRole('button', { name: `Activate ${name}` }).click();
  await expect(page.getByRole('button', { name: `Activate ${name}` })).toHaveAttribute('aria-pressed', 'true');
  await expect(facts).toContainText('active');
});

test('removing a node shows the control API refusal verbatim', async ({ page }) => {
  await openNode(page);
  await page.getByRole('button', { name: 'Remove node…' }).click();
  await expect(page.getByText(/removing it needs force/)).toBeVisible();
  await page.getByRole('button', { name: /^Remove sim-worker/ }).click();
  await expect(page.getByTestId('remove-node-error')).toHaveText(
    /^rpc error: code = FailedPrecondition desc = node [a-z0-9]+ is not down and can't be removed$/,
  );
  await page.getByRole('button', { name: 'Cancel' }).click();

  // the leader: unmistakable on its page, and nothing offers to remove it (it would remove itself)
  await page.goto('/');
  const leader = page.getByRole('article', { name: /^Node / }).filter({ has: page.getByTestId('leader-ribbon') });
  await expect(leader).toHaveCount(1);
  const leaderName = (await leader.locator('h3').textContent())!.trim();
  await leader.getByRole('link', { name: leaderName }).click();
  await expect(page).toHaveURL(/\/nodes\//);
  await expect(page.getByTestId('leader-pill')).toHaveText(/Raft leader/);
  await expect(page.getByRole('button', { name: 'Remove node…' })).toHaveCount(0);
  await shoot(page, 'node-detail');
});

test('the leader comes first; /nodes, its breadcrumb and /favicon.ico answer', async ({ page, request }) => {
  const icon = await request.get('/favicon.ico');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/image\//);

  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const cards = page.getByRole('article', { name: /^Node / });
  await expect(cards).toHaveCount(4);
  await expect(cards.first().getByTestId('leader-ribbon')).toBeVisible();
  await expect(page.getByTestId('leader-ribbon')).toHaveCount(1);
  // the headline counts against desired replicas
  await expect(page.getByTestId('tasks-running')).toHaveText(/^\d+\/\d+$/);
  await shoot(page, 'overview-polish');

  // a node page's breadcrumb leads to the nodes list, leader first
  const { card, name } = await workerCard(page);
  await card.getByRole('link', { name }).click();
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'nodes' }).click();
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nodes');
  const rows = page.locator('table.nodes-table tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toHaveAttribute('data-leader', 'true');
  await expect(rows.filter({ hasText: name })).toHaveCount(1);
});

test('add-a-node panel: masked tokens, reveal, copy, rotate', async ({ page }) => {
  const tokenRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/swarm/join-tokens')) tokenRequests.push(r.url());
  });
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  // nothing asks for the tokens until the panel opens
  expect(tokenRequests).toEqual([]);

  await page.getByRole('button', { name: 'Add a node' }).click();
  const panel = page.getByRole('dialog', { name: 'Add a node' });
  await expect(panel).toBeVisible();
  const worker = panel.getByTestId('worker-join-command');
  await expect(worker).toHaveText(/^SWARMDECK_AGENT_TOKEN=SWMTKN-1-•+ swarmdeck agent --join \S+:\d+$/);
  await expect(panel.getByTestId('manager-join-command')).toHaveText(
    /^SWARMDECK_TOKEN=SWMTKN-1-•+ swarmdeck --join \S+$/,
  );
  expect(tokenRequests.length).toBeGreaterThan(0);
  await shoot(page, 'add-node-panel', false);

  await panel.getByTestId('reveal-worker-token').click();
  await expect(worker).toHaveText(WORKER_COMMAND);
  const first = (await worker.textContent())!;
  const token = WORKER_COMMAND.exec(first)![1]!;
  await expect(panel.getByTestId('worker-docker-join-command')).toHaveText(
    new RegExp(`^docker swarm join --token ${token} \\S+:\\d+$`),
  );
  // the manager token stays masked
  await expect(panel.getByTestId('manager-join-command')).toContainText('•');

  await panel.getByTestId('rotate-worker-token').click();
  await panel.getByTestId('confirm-rotate-worker-token').click();
  await expect(worker).not.toHaveText(first);
  await expect(worker).toHaveText(WORKER_COMMAND);
  const rotated = WORKER_COMMAND.exec((await worker.textContent())!)![1]!;
  expect(rotated).not.toBe(token);

  // closing drops the tokens; reopening fetches the current (rotated) ones, masked again
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await page.getByRole('button', { name: 'Add a node' }).click();
  await expect(worker).toContainText('•');
  await panel.getByTestId('reveal-worker-token').click();
  await expect(worker).toContainText(rotated);
});

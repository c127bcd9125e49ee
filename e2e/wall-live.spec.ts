// The wall while the cluster changes under it, at 3840×2160 and 1366×768: a
// node that goes down (a real `swarmdeck agent` process, killed) shows in the
// map and the alert strip within 2 s of the manager marking it down; an update
// paused by failing tasks shows on the updates view and in the alert strip;
// and no view has anything to press or focus.
import { engineClient, runningTasks, updateState } from './engine';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { ServiceSpec } from '../server/api/types';
import { WALL_VIEWS } from '../components/wall/rotation-model';
import { ADMIN_STATE } from './auth';
import { E2E_ENGINE, E2E_PORTS, extraPort } from './ports';
import { waitLive } from './roles';

const ARTIFACTS = 'artifacts';
const ENGINE = `${E2E_ENGINE}/v1.50`;
const SIZES = { uhd: { width: 3840, height: 2160 }, laptop: { width: 1366, height: 768 } } as const;
const RUN = Date.now().toString(36);
/** The ticker's service publishes a port: one of this checkout's own, not another spec's. */
const PUBLISHED = extraPort(50, 18085);
/** What the issue allows between the manager marking a node down and the wall showing it. */
const NODE_DOWN_BUDGET_MS = 2_000;

interface EngineNode {
  ID: string;
  Description: { Hostname: string };
  Status: { State: string };
}

const engine = engineClient(ENGINE);

/** A wall page per size, each logged in as the admin (the project's stored session). */
async function openWalls(browser: Browser, path: string): Promise<Record<keyof typeof SIZES, Page>> {
  const out = {} as Record<keyof typeof SIZES, Page>;
  for (const [size, viewport] of Object.entries(SIZES) as [keyof typeof SIZES, (typeof SIZES)['uhd']][]) {
    const ctx = await browser.newContext({ storageState: ADMIN_STATE, viewport });
    const page = await ctx.newPage();
    await page.goto(path);
    await waitLive(page);
    out[size] = page;
  }
  return out;
}

/**
 * Records (in the page, on every DOM change) when the node's box first reads
 * down and when the alert strip first names it: Date.now() on the same machine
 * as the test, so the two clocks compare.
 */
async function watchNodeDown(page: Page, hostname: string): Promise<void> {
  await page.evaluate((name) => {
    const seen: { map?: number; alert?: number } = {};
    (window as unknown as { __down: typeof seen }).__down = seen;
    const check = () => {
      const box = document.querySelector(`.wall-node[data-node="${CSS.escape(name)}"]`);
      if (!seen.map && box?.getAttribute('data-condition') === 'down') seen.map = Date.now();
      const alerts = [...document.querySelectorAll('[data-testid="wall-alerts"] [data-kind="node-down"]')];
      if (!seen.alert && alerts.some((a) => a.textContent === `Node ${name} down`)) seen.alert = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    check();
  }, hostname);
}

test('a node going down shows in the map and the alert strip within 2 s, at 4K and laptop size', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const hostname = `wall-down-${RUN}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'swarmdeck-e2e-wall-agent-'));
  let agent: ChildProcess | undefined;
  let nodeID = '';
  let out = '';
  try {
    const swarm = await engine<{ JoinTokens: { Worker: string } }>('GET', '/swarm');
    // simulated tasks and no mesh port: the node is real (its own process and session), its tasks are not
    agent = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/agent-process/main.ts', '--join', `127.0.0.1:${E2E_PORTS.cluster}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: '1',
          SWARMDECK_AGENT_TOKEN: swarm.JoinTokens.Worker,
          SWARMDECK_AGENT_DATA_DIR: dataDir,
          SWARMDECK_AGENT_HOSTNAME: hostname,
          SWARMDECK_AGENT_EXECUTOR: 'sim',
          SWARMDECK_AGENT_DATA_PATH_PORT: '0',
        },
      },
    );
    agent.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    agent.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await expect
      .poll(
        async () => {
          const n = (await engine<EngineNode[]>('GET', '/nodes')).find((x) => x.Description.Hostname === hostname);
          nodeID = n?.ID ?? '';
          return n?.Status.State;
        },
        { timeout: 60_000, message: `agent did not join:\n${out}` },
      )
      .toBe('ready');

    const walls = await openWalls(browser, '/wall?view=map');
    for (const page of Object.values(walls)) {
      await expect(page.locator(`.wall-node[data-node="${hostname}"]`)).toHaveAttribute('data-condition', 'ok');
      await watchNodeDown(page, hostname);
    }

    agent.kill('SIGKILL');
    // the manager marks it down once its heartbeat lapses; the last poll that still saw it up is the
    // earliest it can have happened, so the lag measured from there is never flattered
    let lastUp = Date.now();
    await expect
      .poll(
        async () => {
          const polledAt = Date.now();
          const n = await engine<EngineNode>('GET', `/nodes/${nodeID}`);
          if (n.Status.State !== 'down') lastUp = polledAt;
          return n.Status.State;
        },
        { timeout: 60_000, intervals: [50] },
      )
      .toBe('down');

    for (const [size, page] of Object.entries(walls)) {
      const box = page.locator(`.wall-node[data-node="${hostname}"]`);
      await expect(box).toHaveAttribute('data-condition', 'down', { timeout: 5_000 });
      await expect(box.locator('.wall-node-state')).toHaveText('Down');
      await expect(page.getByTestId('wall-alerts').locator('[data-kind="node-down"]')).toContainText(
        `Node ${hostname} down`,
      );
      const seen = await page.evaluate(
        () => (window as unknown as { __down: { map?: number; alert?: number } }).__down,
      );
      const lag = Math.max(seen.map!, seen.alert!) - lastUp;
      console.log(`${size}: map ${seen.map! - lastUp} ms, alert strip ${seen.alert! - lastUp} ms after the manager`);
      expect(lag).toBeLessThanOrEqual(NODE_DOWN_BUDGET_MS);
      // unmistakable from across the room: the box is framed in the "bad" colour, its tasks greyed
      const frame = await box.evaluate((el) => getComputedStyle(el).borderTopColor);
      const ok = await page
        .locator('.wall-node[data-condition="ok"]')
        .first()
        .evaluate((el) => getComputedStyle(el).borderTopColor);
      expect(frame).not.toBe(ok);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/wall-node-down-${size}.png` });
    }
    for (const page of Object.values(walls)) await page.context().close();
  } finally {
    // killed by a signal, a process keeps exitCode null (signalCode says how it ended)
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGKILL');
      await exited;
    }
    // leave the cluster as the other specs expect it: the leader and three simulated workers
    if (nodeID) await engine('DELETE', `/nodes/${nodeID}?force=true`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a paused update shows on the updates view and in the alert strip, at 4K and laptop size', async ({ browser }) => {
  test.setTimeout(180_000);
  const name = `wall-pause-${RUN}`;
  const created = await engine<{ ID: string }>('POST', '/services/create', {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'nginx:1.26' } },
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 1, FailureAction: 'pause', MaxFailureRatio: 0, Delay: 0 },
  });
  try {
    await expect.poll(() => runningTasks(engine, name)).toBe(3);
    // `docker service update --env-add …` with tasks that exit 1 soon after starting: the updater pauses
    const svc = await engine<{ Spec: ServiceSpec; Version: { Index: number } }>('GET', `/services/${created.ID}`);
    const spec = structuredClone(svc.Spec);
    spec.TaskTemplate.ContainerSpec.Env = ['SWARMDECK_SIM_EXIT_CODE=1', 'SWARMDECK_SIM_EXIT_AFTER=300ms'];
    await engine('POST', `/services/${created.ID}/update?version=${svc.Version.Index}`, spec);
    await expect.poll(() => updateState(engine, created.ID), { timeout: 60_000 }).toBe('paused');

    const walls = await openWalls(browser, '/wall?view=updates');
    for (const [size, page] of Object.entries(walls)) {
      await expect(page.getByTestId('wall-view')).toHaveText('Rolling updates');
      const card = page.locator('.wall-update', { has: page.getByRole('heading', { name }) });
      await expect(card).toHaveAttribute('data-phase', 'paused');
      await expect(card.locator('.wall-update-phase')).toHaveText('Paused');
      await expect(card.getByRole('list', { name: `${name} rollout` }).getByRole('listitem')).toHaveCount(3);
      await expect(page.getByTestId('wall-alerts').locator('[data-kind="update-paused"]')).toContainText(
        `${name} update paused`,
      );
      const spill = await page.evaluate(
        () =>
          document.scrollingElement!.scrollHeight > window.innerHeight ||
          document.scrollingElement!.scrollWidth > window.innerWidth,
      );
      expect(spill).toBe(false);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/wall-update-paused-${size}.png` });
      // the map beside it still carries the alert: the strip is on every view
      await page.goto('/wall?view=map');
      await waitLive(page);
      await expect(page.getByTestId('wall-alerts')).toContainText(`${name} update paused`);
      await page.context().close();
    }
  } finally {
    await engine('DELETE', `/services/${created.ID}`).catch(() => undefined);
  }
});

test('a rollout that has just completed stays on the updates view, marked completed', async ({ browser }) => {
  test.setTimeout(120_000);
  const name = `wall-done-${RUN}`;
  const created = await engine<{ ID: string }>('POST', '/services/create', {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'nginx:1.26' } },
    Mode: { Replicated: { Replicas: 2 } },
    UpdateConfig: { Parallelism: 2, Delay: 0 },
  });
  try {
    await expect.poll(() => runningTasks(engine, name)).toBe(2);
    const svc = await engine<{ Spec: ServiceSpec; Version: { Index: number } }>('GET', `/services/${created.ID}`);
    const spec = structuredClone(svc.Spec);
    spec.TaskTemplate.ContainerSpec.Env = ['RELEASE=2'];
    await engine('POST', `/services/${created.ID}/update?version=${svc.Version.Index}`, spec);
    await expect.poll(() => updateState(engine, created.ID), { timeout: 60_000 }).toBe('completed');

    const walls = await openWalls(browser, '/wall?view=updates');
    for (const page of Object.values(walls)) {
      const card = page.locator('.wall-update', { has: page.getByRole('heading', { name }) });
      await expect(card).toHaveAttribute('data-phase', 'completed');
      await expect(card.locator('.wall-update-phase')).toHaveText('Completed');
      await expect(card.locator('.wall-update-done')).toHaveText('2/2');
      await page.context().close();
    }
  } finally {
    await engine('DELETE', `/services/${created.ID}`).catch(() => undefined);
  }
});

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`no view of the wall has anything to press or focus (${size})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    // a rollout in progress, so the updates view has its strips on screen, not its empty line
    const name = `wall-calm-${size}-${RUN}`;
    const created = await engine<{ ID: string }>('POST', '/services/create', {
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: 'nginx:1.26' } },
      Mode: { Replicated: { Replicas: 2 } },
      UpdateConfig: { Parallelism: 1, FailureAction: 'pause', MaxFailureRatio: 0, Delay: 0 },
    });
    try {
      const svc = await engine<{ Spec: ServiceSpec; Version: { Index: number } }>('GET', `/services/${created.ID}`);
      const spec = structuredClone(svc.Spec);
      spec.TaskTemplate.ContainerSpec.Env = ['SWARMDECK_SIM_FAIL=start'];
      await engine('POST', `/services/${created.ID}/update?version=${svc.Version.Index}`, spec);
      for (const view of WALL_VIEWS) {
        await page.goto(`/wall?view=${view}`);
        await waitLive(page);
        await expect(page.getByTestId('wall')).toHaveAttribute('data-view', view);
        if (view === 'updates') await expect(page.locator('.wall-update')).not.toHaveCount(0);
        const pressable = await page.evaluate(() =>
          [
            ...document.querySelectorAll<HTMLElement>(
              'button, a, input, select, textarea, summary, [role="button"], [role="link"], [tabindex], [contenteditable]',
            ),
          ].map((el) => el.outerHTML.slice(0, 120)),
        );
        expect(pressable, `pressable on ${view}`).toEqual([]);
        // and nothing takes focus from the keyboard either
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.tagName ?? 'BODY');
        expect(focused, `focus on ${view}`).toBe('BODY');
      }
    } finally {
      await engine('DELETE', `/services/${created.ID}`).catch(() => undefined);
    }
  });
}

/** Nothing scrolls: the page keeps inside the screen, and so does each view's own box. */
async function expectNoSpill(page: Page, boxes: string): Promise<void> {
  const spill = await page.evaluate((sel) => {
    const doc = document.scrollingElement!;
    const out: string[] = [];
    if (doc.scrollHeight > window.innerHeight || doc.scrollWidth > window.innerWidth) out.push('page scrolls');
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
        out.push(`${el.className} ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
    }
    return out;
  }, boxes);
  expect(spill).toEqual([]);
}

test('the event ticker takes new events live, newest first, and the topology view draws a lane per network', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const net = `wall-net-${RUN}`;
  const name = `wall-tick-${RUN}`;
  const walls = await openWalls(browser, '/wall?view=ticker');
  let serviceID = '';
  let networkID = '';
  try {
    for (const page of Object.values(walls)) {
      await expect(page.getByTestId('wall-view')).toHaveText('Events');
      await expect(page.getByTestId('wall-ticker').locator('.wall-ticker-row').first()).toBeVisible();
    }
    networkID = (await engine<{ Id: string }>('POST', '/networks/create', { Name: net, Driver: 'overlay' })).Id;
    serviceID = (
      await engine<{ ID: string }>('POST', '/services/create', {
        Name: name,
        TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, Networks: [{ Target: net }] },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: PUBLISHED }] },
      })
    ).ID;
    // the allocator writes the new service's VIPs and port just after the create: read, update, and read
    // again if that write came between (the CLI's "update out of sequence")
    await expect
      .poll(async () => {
        const svc = await engine<{ Spec: ServiceSpec; Version: { Index: number } }>('GET', `/services/${serviceID}`);
        const r = await fetch(`${ENGINE}/services/${serviceID}/update?version=${svc.Version.Index}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...svc.Spec, Mode: { Replicated: { Replicas: 3 } } }),
        });
        return r.status;
      })
      .toBe(200);
    for (const [size, page] of Object.entries(walls)) {
      // pushed: the page was not reloaded since the events happened
      const rows = page.getByTestId('wall-ticker').locator('.wall-ticker-row');
      await expect(rows.filter({ hasText: `service ${name}: replicas 2 → 3` })).toHaveCount(1);
      await expect(rows.filter({ hasText: `service ${name} created` })).toHaveCount(1);
      await expect(rows.filter({ hasText: `network ${net} created` })).toHaveCount(1);
      // newest first: the scale came after the create, which came after the network
      const texts = await rows.locator('.wall-ticker-text').allTextContents();
      const at = (t: string) => texts.findIndex((x) => x.includes(t));
      expect(at(`service ${name}: replicas 2 → 3`)).toBeLessThan(at(`service ${name} created`));
      expect(at(`service ${name} created`)).toBeLessThan(at(`network ${net} created`));
      const text = await rows
        .first()
        .locator('.wall-ticker-text')
        .evaluate((el) => getComputedStyle(el).fontSize);
      if (size === 'uhd') expect(parseFloat(text)).toBeGreaterThanOrEqual(44);
      await expectNoSpill(page, '.wall-ticker, .wall-body');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/wall-ticker-${size}.png` });
    }

    for (const [size, page] of Object.entries(walls)) {
      await page.goto('/wall?view=topology');
      await waitLive(page);
      await expect(page.getByTestId('wall-view')).toHaveText('Network topology');
      const topo = page.getByTestId('wall-topology');
      // ingress (the routing mesh) first, the new overlay beside it, the service in both
      await expect(topo.locator('.wall-topo-lane').first()).toHaveAttribute('data-ingress', 'true');
      const lane = topo.getByRole('region', { name: `Network ${net}` });
      await expect(lane.locator('.wall-topo-service', { hasText: name })).toContainText(/VIP 10\.\d+\.\d+\.\d+/);
      const ingress = topo.locator('.wall-topo-lane[data-ingress]');
      await expect(ingress.locator('.wall-topo-service', { hasText: name })).toContainText(`${PUBLISHED}:80/tcp`);
      await expect(ingress.locator('.wall-topo-service', { hasText: name })).toContainText('3/3', { timeout: 30_000 });
      await expectNoSpill(page, '.wall-topo, .wall-topo-services, .wall-body');
      await page.screenshot({ path: `${ARTIFACTS}/wall-topology-${size}.png` });
    }
  } finally {
    for (const page of Object.values(walls)) await page.context().close();
    if (serviceID) await engine('DELETE', `/services/${serviceID}`).catch(() => undefined);
    if (networkID) {
      // the network is in use until the service's tasks are gone
      await expect
        .poll(async () => fetch(`${ENGINE}/networks/${networkID}`, { method: 'DELETE' }).then((r) => r.status), {
          timeout: 30_000,
        })
        .toBe(204);
    }
  }
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN_ENV, E2E_ADMIN, logIn } from './auth';
import { extraPort } from './ports';

// First against the single manager Playwright starts, then against three
// managers the test starts itself (the leader is killed with SIGKILL).

const ARTIFACTS = 'artifacts';
const VIEWPORTS = { laptop: { width: 1366, height: 768 }, wall: { width: 2560, height: 1440 } } as const;

test.use({ viewport: VIEWPORTS.laptop });

test('the Raft page shows the leader and the quorum arithmetic', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Raft' }).click();
  await expect(page).toHaveURL(/\/raft$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Raft');

  const managers = page.getByRole('table', { name: 'Managers' });
  const leader = managers.locator('tr[data-role="leader"]');
  await expect(leader).toHaveCount(1);
  await expect(leader).toContainText('Leader');
  await expect(leader).toContainText('this console');
  await expect(leader).toHaveAttribute('data-reachable', 'true');
  await expect(page.getByTestId('quorum-sentence')).toHaveText('1 manager: can lose 0 more');
  await expect(page.getByTestId('served-by')).toContainText('This console is served by');
  await expect(page.getByTestId('quorum-badge')).toBeVisible();
  await expect(page.getByTestId('quorum-banner')).toHaveCount(0);

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${ARTIFACTS}/raft-e2e-${scheme}-${vp}.png`, fullPage: true });
    }
  }
});

// ---- three managers of its own: the leader badge moves when the leader's process dies ----

interface Manager {
  proc: ChildProcess;
  nodeID: string;
  console: string;
  engine: string;
  cluster: string;
}

const managers: Manager[] = [];

/** `node --import tsx server/main.ts` directly, so SIGKILL reaches the server itself. */
async function startManager(n: number, join?: { addr: string; token: string }): Promise<Manager> {
  const ports = {
    console: extraPort(3 * n, 3110 + n),
    engine: extraPort(3 * n + 1, 2480 + 2 * n),
    cluster: extraPort(3 * n + 2, 2481 + 2 * n),
  };
  const dataDir = `.tmp/e2e-raft-${n}`;
  rmSync(dataDir, { recursive: true, force: true });
  const args = ['--import', 'tsx', 'server/main.ts', '--console-port', String(ports.console)];
  args.push('--engine-port', String(ports.engine), '--cluster-port', String(ports.cluster), '--data-dir', dataDir);
  args.push('--executor', 'sim');
  if (join) args.push('--join', join.addr, '--token', join.token);
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...ADMIN_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const nodeID = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`manager ${n} did not start:\n${out}`)), 90_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /swarmdeck ready: node (\w+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    proc.once('exit', (code) => reject(new Error(`manager ${n} exited (${code}):\n${out}`)));
  });
  const m = {
    proc,
    nodeID,
    console: `http://127.0.0.1:${ports.console}`,
    engine: `http://127.0.0.1:${ports.engine}`,
    cluster: `127.0.0.1:${ports.cluster}`,
  };
  managers.push(m);
  return m;
}

test.afterAll(() => {
  for (const m of managers) if (m.proc.exitCode === null) m.proc.kill('SIGKILL');
});

test('with three managers, the leader badge moves after the leader process is killed', async ({ page }) => {
  test.setTimeout(300_000);
  const a = await startManager(1);
  const swarm = (await (await fetch(`${a.engine}/swarm`)).json()) as { JoinTokens: { Manager: string } };
  const join = { addr: a.cluster, token: swarm.JoinTokens.Manager };
  const b = await startManager(2, join);
  await startManager(3, join);

  // a follower's console: it outlives the leader (and so does the session, made through the leader's log)
  await logIn(page.request, E2E_ADMIN, b.console);
  await page.goto(`${b.console}/raft`);
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
  const table = page.getByRole('table', { name: 'Managers' });
  await expect(table.locator('tr.raft-row')).toHaveCount(3, { timeout: 60_000 });
  await expect(table.locator(`tr[data-role="leader"][data-node-id="${a.nodeID}"]`)).toHaveCount(1);
  await expect(table.locator(`tr[data-node-id="${b.nodeID}"]`)).toContainText('this console');
  await expect(page.getByTestId('quorum-sentence')).toHaveText('3 managers: can lose 1 more', { timeout: 60_000 });
  await expect(page.getByTestId('served-by')).toContainText('follower: reads from its replica');
  await expect(page.getByTestId('quorum-badge')).toHaveText(/Quorum 3\/3 · term \d+/);
  const termBefore = Number(/term (\d+)/.exec((await page.getByTestId('quorum-badge').textContent()) ?? '')![1]);

  a.proc.kill('SIGKILL');
  const newLeader = table.locator(`tr[data-role="leader"]:not([data-node-id="${a.nodeID}"])`);
  await expect(newLeader).toHaveCount(1, { timeout: 60_000 });
  await expect(table.locator(`tr[data-node-id="${a.nodeID}"]`)).toHaveAttribute('data-reachable', 'false');
  await expect(page.getByTestId('quorum-sentence')).toHaveText('3 managers, 1 unreachable: can lose 0 more');
  await expect(page.getByTestId('quorum-badge')).toHaveText(/Quorum 2\/3 · term \d+/);
  const termAfter = Number(/term (\d+)/.exec((await page.getByTestId('quorum-badge').textContent()) ?? '')![1]);
  expect(termAfter).toBeGreaterThan(termBefore);
  const events = page.getByTestId('raft-events');
  await expect(events.locator('li[data-kind="leader-elected"]').first()).toContainText(`term ${termAfter}`);
  await expect(events.locator('li[data-kind="leader-lost"]')).not.toHaveCount(0);
  await expect(page.getByTestId('quorum-banner')).toHaveCount(0);

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${ARTIFACTS}/raft-failover-${scheme}-${vp}.png`, fullPage: true });
    }
  }
});

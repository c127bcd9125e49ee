// Add a real node from the console: copy the worker join command out of the
// "Add a node" panel, start `swarmdeck agent` with it, watch the node appear,
// put tasks on it, drain it from the console and watch its tasks move.
import { engineClient } from './engine';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_ENGINE } from './ports';

const ENGINE = E2E_ENGINE;
const HOSTNAME = 'e2e-agent';
const WORKER_COMMAND = /^SWARMDECK_AGENT_TOKEN=(SWMTKN-1-\S+) swarmdeck agent --join (\S+:\d+)$/;

interface EngineTask {
  NodeID?: string;
  DesiredState: string;
  Status: { State: string };
}

const engine = engineClient(ENGINE);

/** The agent's task processes (they outlive it by design), found by its node ID in their environment. */
function killTaskProcesses(nodeID: string): void {
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`SWARMDECK_NODE_ID=${nodeID}`))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours
    }
  }
}

test('add a node from the join command, drain it, and its tasks move', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'swarmdeck-e2e-agent-'));
  let agent: ChildProcess | undefined;
  let nodeID = '';
  try {
    await page.goto('/');
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    await page.getByRole('button', { name: 'Add a node' }).click();
    await page.getByTestId('reveal-worker-token').click();
    const command = page.getByTestId('worker-join-command');
    await expect(command).toHaveText(WORKER_COMMAND);
    const [, token, joinAddr] = WORKER_COMMAND.exec((await command.textContent())!.trim())!;
    await page.getByRole('button', { name: 'Close' }).click();

    // the command as shown (the token in the environment), plus where this test keeps the node's state and what it calls it
    let out = '';
    agent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/agent-process/main.ts',
        '--join',
        joinAddr!,
        '--data-dir',
        dataDir,
        '--hostname',
        HOSTNAME,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SWARMDECK_AGENT_TOKEN: token },
      },
    );
    agent.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    agent.stderr!.on('data', (c: Buffer) => (out += c.toString()));

    // it appears on the overview, pushed live
    const card = page.getByRole('article', { name: `Node ${HOSTNAME}` });
    await expect(card).toBeVisible({ timeout: 60_000 });
    await expect(card).toContainText(/ready/i);
    nodeID = (JSON.parse(readFileSync(join(dataDir, 'node.json'), 'utf8')) as { nodeID: string }).nodeID;
    expect(out).toContain('swarmdeck agent ready');

    // tasks spread onto it: real processes there, simulated ones on the other nodes
    await engine('POST', '/services/create', {
      Name: 'e2e-spread',
      TaskTemplate: { ContainerSpec: { Image: 'alpine', Command: ['sh', '-c', 'while true; do sleep 1; done'] } },
      Mode: { Replicated: { Replicas: 10 } },
    });
    await card.getByRole('link', { name: HOSTNAME }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(HOSTNAME);
    const runningHere = page.locator('tr.node-task:not([data-finished])[data-state="running"]');
    await expect(runningHere.first()).toBeVisible({ timeout: 30_000 });
    const before = await runningHere.count();
    expect(before).toBeGreaterThan(0);

    await page.getByRole('button', { name: `Drain ${HOSTNAME}` }).click();
    await expect(page.getByRole('button', { name: `Drain ${HOSTNAME}` })).toHaveAttribute('aria-pressed', 'true');
    // its tasks leave it, and all ten replicas run elsewhere
    await expect(runningHere).toHaveCount(0, { timeout: 30_000 });
    await expect
      .poll(
        async () => {
          const tasks = await engine<EngineTask[]>(
            'GET',
            `/tasks?filters=${encodeURIComponent('{"service":["e2e-spread"]}')}`,
          );
          const live = tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running');
          return live.length === 10 && live.every((t) => t.NodeID !== nodeID);
        },
        { timeout: 30_000 },
      )
      .toBe(true);
  } finally {
    await engine('DELETE', '/services/e2e-spread').catch(() => undefined);
    if (agent && agent.exitCode === null) {
      agent.kill('SIGKILL');
      await new Promise((r) => agent!.once('exit', r));
    }
    if (nodeID) {
      killTaskProcesses(nodeID);
      // leave the cluster as the other specs expect it: the leader and three simulated workers
      await engine('DELETE', `/nodes/${nodeID}?force=true`).catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

import { expect, test, type Page } from '@playwright/test';
import { engine } from './engine';

// Pages subscribe to the tasks they draw: the services list is sent counts, not tasks, and a
// service's page the tasks of that service only; the wall still gets every task. Checked on
// the WebSocket itself, so a page that quietly went back to receiving everything fails here.
test.use({ viewport: { width: 1366, height: 768 } });

const spec = (name: string, replicas: number) => ({
  Name: name,
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
  Mode: { Replicated: { Replicas: replicas } },
});

/** The task IDs the page's socket is sent created or updated from now on, by service. */
function watchTaskFrames(page: Page): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      // socket.io packets: 42["changes",{...}] or 42["snapshot",{...}]
      const m = /^42(\[.*\])$/s.exec(text);
      if (!m) return;
      const [event, frame] = JSON.parse(m[1]!) as [string, Record<string, unknown>];
      const tasks =
        event === 'changes'
          ? (frame.changes as { kind: string; action: string; object?: { ID: string; ServiceID: string } }[])
              .filter((c) => c.kind === 'task' && c.action !== 'delete')
              .map((c) => c.object!)
          : event === 'snapshot'
            ? (frame.objects as { task: { ID: string; ServiceID: string }[] }).task
            : [];
      for (const t of tasks) {
        const ids = seen.get(t.ServiceID) ?? new Set<string>();
        ids.add(t.ID);
        seen.set(t.ServiceID, ids);
      }
    }),
  );
  return seen;
}

test('the services list gets counts and no tasks, a service page its own tasks, the wall every task', async ({
  page,
}) => {
  const ids: string[] = [];
  try {
    const seen = watchTaskFrames(page);
    await page.goto('/services');
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    const a = (await engine<{ ID: string }>('POST', '/services/create', spec('scope-a', 3))).ID;
    const b = (await engine<{ ID: string }>('POST', '/services/create', spec('scope-b', 2))).ID;
    ids.push(a, b);
    // REPLICAS reach 3/3 and 2/2 from the server's counts alone
    const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name }) });
    await expect(row('scope-a').getByLabel('3 of 3 replicas running')).toBeVisible({ timeout: 30_000 });
    await expect(row('scope-b').getByLabel('2 of 2 replicas running')).toBeVisible();
    expect(seen.get(a)).toBeUndefined();
    expect(seen.get(b)).toBeUndefined();

    // a service's page: its own tasks (a snapshot of that scope, then its frames), not the other's
    await row('scope-a').getByRole('link', { name: 'scope-a' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('scope-a');
    await expect(page.locator('tr.task-row.current[data-state="running"]')).toHaveCount(3);
    expect(seen.get(a)?.size).toBe(3);
    await engine(
      'POST',
      `/services/${b}/update?version=${(await engine<{ Version: { Index: number } }>('GET', `/services/${b}`)).Version.Index}`,
      {
        ...spec('scope-b', 2),
        Labels: { touched: 'yes' },
        TaskTemplate: { ContainerSpec: { Image: 'nginx:1.27' } },
      },
    );
    // scope-b's rollout replaces both its tasks; the page sees none of it
    await expect
      .poll(
        async () =>
          (await engine<{ ServiceID: string; DesiredState: string }[]>('GET', '/tasks')).filter(
            (t) => t.ServiceID === b,
          ).length,
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThanOrEqual(4);
    expect(seen.get(b)).toBeUndefined();

    // back to the list: the tasks it held are dropped, the counts go on
    await page.getByRole('link', { name: 'Services' }).first().click();
    await expect(row('scope-b').getByLabel('2 of 2 replicas running')).toBeVisible({ timeout: 30_000 });

    // the wall draws every task: scope-b's new replica comes down its socket
    await page.goto('/wall?view=map');
    const before = seen.get(b)?.size ?? 0;
    const cur = await engine<{ Version: { Index: number }; Spec: Record<string, unknown> }>('GET', `/services/${b}`);
    await engine('POST', `/services/${b}/update?version=${cur.Version.Index}`, {
      ...cur.Spec,
      Mode: { Replicated: { Replicas: 3 } },
    });
    await expect.poll(() => seen.get(b)?.size ?? 0, { timeout: 15_000 }).toBeGreaterThan(before);
  } finally {
    for (const id of ids) await engine('DELETE', `/services/${id}`).catch(() => undefined);
  }
});

import { expect, test } from '@playwright/test';
import { engine } from './engine';

// A row's link fetches its route when a person reaches for it, not when the row appears: next/link's
// viewport prefetch made every new row one server render per open console (RowLink's comment has the
// figures). The request is read off the network, so a row that goes back to plain <Link> fails here.
test.use({ viewport: { width: 1366, height: 768 } });

test('a service row fetches its page on hover, not when it appears', async ({ page }) => {
  const ids: string[] = [];
  const routeFetches: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.searchParams.has('_rsc')) routeFetches.push(url.pathname);
  });
  try {
    await page.goto('/services');
    await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
    for (const name of ['reach-a', 'reach-b'])
      ids.push(
        (
          await engine<{ ID: string }>('POST', '/services/create', {
            Name: name,
            TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' } },
            Mode: { Replicated: { Replicas: 0 } },
          })
        ).ID,
      );
    const link = (name: string) => page.getByRole('link', { name, exact: true });
    await expect(link('reach-a')).toBeVisible();
    await expect(link('reach-b')).toBeVisible();
    // next/link prefetches a link in view at once (an idle callback); give it time to, then expect nothing
    await page.waitForTimeout(1500);
    expect(routeFetches.filter((p) => ids.some((id) => p === `/services/${id}`))).toEqual([]);

    await link('reach-a').hover();
    await expect.poll(() => routeFetches.includes(`/services/${ids[0]}`)).toBe(true);
    expect(routeFetches).not.toContain(`/services/${ids[1]}`);
    await link('reach-a').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('reach-a');
  } finally {
    for (const id of ids) await engine('DELETE', `/services/${id}`).catch(() => undefined);
  }
});

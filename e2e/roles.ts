// What "no action buttons" means in the e2e specs: every button and button-like
// link a page shows, checked against the controls that only read or navigate.
import { expect, type Page } from '@playwright/test';

/** Controls that change nothing: theme, the user menu, copying an ID, unfolding history, filters. */
const READ_ONLY_CONTROLS: RegExp[] = [
  /^Theme: /,
  /^(Account|Share link) .+, (viewer|operator|admin)$/,
  /^Copy ID /,
  /^(Show|Hide) \d+ older tasks? of /,
  /^Show all \d+$/,
  /^Clear$/,
  // React Flow's own view controls on the topology page
  /^(Zoom In|Zoom Out|Fit View|Toggle Interactivity)$/i,
];

/** Names of what an operator or admin may press: none of them may show to a viewer or a share link. */
export const ACTION_NAMES =
  /scale|update image|run again|remove|drain|activate|pause|add a node|add label|create|roll back|resume|force continue|restore|save|rotate|delete|revoke|reset password|^logs$/i;

/** The accessible names of every button on the page, and of every link styled as one. */
export async function controlNames(page: Page): Promise<string[]> {
  const names: string[] = [];
  for (const el of await page.locator('button, a.btn, input[type="submit"]').all()) {
    if (!(await el.isVisible())) continue;
    names.push(((await el.getAttribute('aria-label')) ?? (await el.innerText())).trim());
  }
  return names;
}

/** The page shows nothing to press that changes the swarm: only read-only controls. */
export async function expectNoActions(page: Page, where: string): Promise<void> {
  const names = await controlNames(page);
  const actions = names.filter((n) => !READ_ONLY_CONTROLS.some((r) => r.test(n)));
  expect(actions, `controls on ${where}`).toEqual([]);
  // and no form or field that would send a change
  // (view filters, [role=search], and the radio/checkbox view toggles stay: they change only what is shown)
  await expect(
    page.locator(
      'main form, main textarea, main input:not([type="radio"]):not([type="checkbox"]), main select:not([role="search"] select)',
    ),
  ).toHaveCount(0);
  // no logs link either (operators only)
  await expect(page.getByRole('link', { name: /^logs?$/i })).toHaveCount(0);
}

/** Wait until the page shows the live cluster, so what is hidden is hidden for good and not merely unloaded. */
export async function waitLive(page: Page): Promise<void> {
  await expect(page.locator('.conn')).toHaveAttribute('data-status', 'live');
}

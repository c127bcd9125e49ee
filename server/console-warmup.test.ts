import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONSOLE_PAGES } from './console-warmup';

const APP = fileURLToPath(new URL('../app', import.meta.url));

/** Every page route under app/, dynamic segments as `[id]`. */
function pageRoutes(): string[] {
  return readdirSync(APP, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'page.tsx' || f.endsWith('/page.tsx'))
    .map((f) => `/${f.replace(/\/?page\.tsx$/, '')}`)
    .sort();
}

describe('console warm-up', () => {
  it('renders every page of the app once, so none costs a first render later', () => {
    const warmed = CONSOLE_PAGES.map((p) => p.replace(/\/warm-up(?=\/|$)/g, '/[id]'));
    const missing = pageRoutes().filter((route) => !warmed.includes(route));
    expect(missing).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { ENGINE_ROUTES } from '../http/engine/server';
import { routeTemplate } from './route-template';

describe('routeTemplate', () => {
  it('writes captures as {id}', () => {
    expect(routeTemplate(/^\/services\/([^/]+)\/update$/)).toBe('/services/{id}/update');
    expect(routeTemplate(/^\/services$/)).toBe('/services');
    expect(routeTemplate(/^\/nodes\/((?:[^/]|\/)+)$/)).toBe('/nodes/{id}');
  });

  it('gives every Engine API route a plain path label', () => {
    for (const r of ENGINE_ROUTES) {
      const t = routeTemplate(r.pattern);
      expect(t, r.pattern.source).toMatch(/^\/[a-z0-9_{}/.-]*$/i);
    }
  });
});

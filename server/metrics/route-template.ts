// An Engine API route's label: its pattern with every capture written `{id}`,
// so a metric has one series per route, never one per object ID or name.

/** `/^\/services\/([^/]+)\/update$/` → `/services/{id}/update`. */
export function routeTemplate(pattern: RegExp): string {
  const src = pattern.source
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    // a capture (its own parentheses may nest one level): one label slot
    .replace(/\((?:[^()]|\([^()]*\))*\)/g, '{id}')
    .replace(/\\\//g, '/')
    .replace(/\\(.)/g, '$1');
  return src || '/';
}

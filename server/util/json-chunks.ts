// Cutting a list into parts that each fit a message: measured as JSON, the
// way the cluster transport sends them (escapes and UTF-8 count).

/**
 * Consecutive parts of `items`, each at most `maxBytes` of JSON (the list's
 * brackets and commas included) and `maxItems` items. An item larger than
 * `maxBytes` travels alone. Order is kept.
 */
export function chunkByJsonBytes<T>(items: readonly T[], maxBytes: number, maxItems = Infinity): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item), 'utf8') + 1;
    if (cur.length > 0 && (cur.length >= maxItems || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 2;
    }
    cur.push(item);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

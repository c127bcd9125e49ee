// `docker events`: GET /events as dockerd serves it (moby
// daemon/server/router/system getEvents), read from this manager's copy of
// the cluster's event log. One JSON object per line, flushed as it comes.

import { SwarmError } from '../../../api/errors';
import { eventMatches, eventMillis, type ClusterEvent, type EventFilters } from '../../../api/events';
import { eventsQuery, parseQuery } from '../../../api/schemas/engine-query';
import type { AppliedEvent } from '../../../store/batch';
import type { Route, RouteRequest } from '../router';

/** A reader this far behind is dropped (dockerd drops events a subscriber takes 100 ms to receive). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** The event's time in nanoseconds, exact (timeNano is a whole number of milliseconds, past 2^53). */
const nanos = (e: ClusterEvent): bigint => BigInt(eventMillis(e)) * 1_000_000n;

/** The event as dockerd encodes it: Go marshals a map with its keys sorted. */
export function eventLine(e: ClusterEvent): string {
  const attrs: Record<string, string> = {};
  for (const k of Object.keys(e.Actor.Attributes).sort()) attrs[k] = e.Actor.Attributes[k]!;
  return `${JSON.stringify({ ...e, Actor: { ID: e.Actor.ID, Attributes: attrs } })}\n`;
}

async function serveEvents({ ctx, req, res, query }: RouteRequest): Promise<void> {
  const q = parseQuery(eventsQuery, query);
  const { since, until } = q;
  const filters: EventFilters = q.filters;
  if (until !== undefined && since !== undefined && until < since)
    throw new SwarmError(
      'InvalidArgument',
      `\`since\` time (${query.get('since')}) cannot be after \`until\` time (${query.get('until')})`,
    );
  const nowNs = BigInt(ctx.clock.now()) * 1_000_000n;
  const onlyPast = until !== undefined && until < nowNs;
  const include = (e: ClusterEvent) => eventMatches(filters, e);
  const view = ctx.store.view;

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  let open = true;
  const write = (e: ClusterEvent) => {
    if (!open) return;
    res.write(eventLine(e));
    if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
  };

  // past events and the subscription in one tick: no entry can fall between them
  if (since !== undefined || until !== undefined) {
    for (const l of view.events.list(include)) {
      const t = nanos(l.event);
      if (since !== undefined && t < since) continue;
      if (until !== undefined && t > until) continue;
      write(l.event);
    }
  }
  if (onlyPast) {
    res.end();
    return;
  }
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const unwatch = view.watch((applied: AppliedEvent) => {
    for (const l of applied.events ?? []) if (include(l.event)) write(l.event);
  });
  const cancelTimer =
    until !== undefined ? ctx.clock.setTimeout(() => end(), Number((until - nowNs) / 1_000_000n)) : undefined;
  const end = () => {
    if (!open) return;
    open = false;
    unwatch();
    cancelTimer?.();
    if (!res.destroyed) res.end();
    finish();
  };
  res.once('close', end);
  if (res.destroyed) end();
  await done;
}

export const eventRoutes: Route[] = [{ method: 'GET', pattern: /^\/events$/, handle: serveEvents }];

// The console's event timelines: a service's or a node's events (its own and
// its tasks'), read from the same event log as `docker events`.

import {
  eventConcerns,
  notableEvent,
  TIMELINE_EVENTS,
  type EventSubject,
  type ObjectEventsBody,
  type RecentEventsBody,
} from '../../api/events';
import type { ManagerContext } from '../../manager/context';
import { HttpError } from '../http-error';

export function objectEvents(ctx: ManagerContext, query: URLSearchParams): ObjectEventsBody | RecentEventsBody {
  const recent = query.get('recent');
  const service = query.get('service');
  const node = query.get('node');
  if (recent !== null && !service && !node) return recentEvents(ctx, recent);
  if (!service === !node || recent !== null) throw new HttpError(400, 'give one of service=ID, node=ID or recent=N');
  const subject: EventSubject = service ? { kind: 'service', id: service } : { kind: 'node', id: node! };
  const events = ctx.store.view.events.list((e) => eventConcerns(subject, e));
  return { subject, events: events.slice(-TIMELINE_EVENTS) };
}

/** The wall's ticker: the cluster's newest notable events, whatever their subject. */
function recentEvents(ctx: ManagerContext, recent: string): RecentEventsBody {
  const n = /^\d+$/.test(recent) ? Number(recent) : NaN;
  if (!(n >= 1 && n <= TIMELINE_EVENTS))
    throw new HttpError(
      400,
      `recent must be a whole number from 1 to ${TIMELINE_EVENTS}, not '${recent.slice(0, 40)}'`,
    );
  return { events: ctx.store.view.events.list(notableEvent).slice(-n) };
}

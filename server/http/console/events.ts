// The console's event timelines: a service's or a node's events (its own and
// its tasks'), read from the same event log as `docker events`.

import { eventConcerns, TIMELINE_EVENTS, type EventSubject, type ObjectEventsBody } from '../../api/events';
import type { ManagerContext } from '../../manager/context';
import { HttpError } from '../http-error';

export function objectEvents(ctx: ManagerContext, query: URLSearchParams): ObjectEventsBody {
  const service = query.get('service');
  const node = query.get('node');
  if (!service === !node) throw new HttpError(400, 'give one of service=ID or node=ID');
  const subject: EventSubject = service ? { kind: 'service', id: service } : { kind: 'node', id: node! };
  const events = ctx.store.view.events.list((e) => eventConcerns(subject, e));
  return { subject, events: events.slice(-TIMELINE_EVENTS) };
}

// The console's live log view: `GET /api/logs?service=<id>|task=<id>[&tail=N][&follow=0|1][&since=ms]`
// streams NDJSON, one LogStreamEvent per line ({m}: a line, {end}: the
// subscription ended, {error}), flushed as lines arrive; a blank line now and
// then keeps idle connections open. Works on any manager (followers forward
// to the leader's log broker). A reader that falls behind pauses the nodes
// (ResponseFlow).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwarmError } from '../../api/errors';
import type { LogOptions, LogSelector, LogStreamEvent } from '../../api/logs';
import { consoleLogsQuerySchema, parseConsoleBody } from '../../api/schemas/console-bodies';
import { queryParams } from '../../api/schemas/engine-query';
import type { ManagerContext } from '../../manager/context';
import { ResponseFlow } from '../response-flow';

const KEEPALIVE_MS = 15_000;
/** Lines of each task sent first when the view opens (the view itself keeps 10,000). */
const DEFAULT_TAIL = 1_000;

export async function streamConsoleLogs(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ManagerContext,
  query: URLSearchParams,
): Promise<void> {
  const q = parseConsoleBody(consoleLogsQuerySchema, queryParams(query));
  const serviceRef = q.service;
  const taskRef = q.task;
  let selector: LogSelector;
  if (taskRef) selector = { taskIDs: [ctx.control.getTask(taskRef).ID] };
  else if (serviceRef) selector = { serviceIDs: [ctx.control.getService(serviceRef).ID] };
  else throw new SwarmError('InvalidArgument', 'service or task is required');
  if (!ctx.logs) throw new SwarmError('Unavailable', 'logs are not served by this manager');
  const tail = q.tail === 'all' ? undefined : q.tail ? Number(q.tail) : DEFAULT_TAIL;
  const since = q.since ? Number(q.since) : undefined;
  const options: LogOptions = { follow: q.follow !== '0', tail, since };

  const flow = new ResponseFlow(res);
  let closed = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const write = (events: LogStreamEvent[]) => {
    if (closed || events.length === 0) return;
    flow.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  };
  // a reader that is behind needs no keepalive (and gets none piled up)
  const keepalive = setInterval(() => !closed && flow.headed && !flow.ready() && res.write('\n'), KEEPALIVE_MS);
  keepalive.unref?.();
  const cancelKeepalive = () => clearInterval(keepalive);
  const end = () => {
    if (closed) return;
    closed = true;
    cancelKeepalive();
    if (flow.headed) res.end();
    finish();
  };
  const cancel = await ctx.logs.subscribe(selector, options, {
    messages: (batch) => write(batch.map((m) => ({ m }))),
    end: (result) => {
      write([{ end: result }]);
      end();
    },
    ready: () => flow.ready(),
  });
  // the client may have gone while the subscription was opening (on a follower that is a round trip)
  const gone = () => {
    cancel();
    closed = true;
    cancelKeepalive();
    finish();
  };
  if (res.destroyed || req.socket.destroyed) return gone();
  res.once('close', gone);
  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  flow.headSent();
  if (closed) res.end();
  await done;
}

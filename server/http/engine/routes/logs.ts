import { SwarmError } from '../../../api/errors';
import type { LogMessage, LogOptions, LogSelector, LogStreamName } from '../../../api/logs';
import { logsQuery, parseQuery } from '../../../api/schemas/engine-query';
import { SYSTEMERR, encodeLine, stdcopyFrame } from '../log-format';
import { ResponseFlow } from '../../response-flow';
import type { Route, RouteRequest } from '../router';

/**
 * `docker service logs`: parameters are checked and the subscription opened
 * before the 200, so every refusal is still a JSON error; after it, lines go
 * out one frame each, flushed as they come; a reader that falls behind pauses
 * the nodes (ResponseFlow). A stream that ends incomplete (nodes down or
 * silent) ends with a system-error frame naming them.
 */
async function serveLogs({ ctx, req, res, params, query }: RouteRequest, kind: 'service' | 'task'): Promise<void> {
  const q = parseQuery(logsQuery, query);
  const { stdout, stderr } = q;
  if (!stdout && !stderr)
    throw new SwarmError('InvalidArgument', 'Bad parameters: you must choose at least one stream');
  let selector: LogSelector;
  let tty: boolean;
  if (kind === 'service') {
    const svc = ctx.control.getService(params[0]!);
    selector = { serviceIDs: [svc.ID] };
    tty = !!svc.Spec.TaskTemplate.ContainerSpec?.TTY;
  } else {
    const task = ctx.control.getTask(params[0]!);
    selector = { taskIDs: [task.ID] };
    tty = !!task.Spec.ContainerSpec?.TTY;
  }
  if (!ctx.logs) throw new SwarmError('Unavailable', 'logs are not served by this manager');
  const streams: LogStreamName[] = [...(stdout ? ['stdout' as const] : []), ...(stderr ? ['stderr' as const] : [])];
  const options: LogOptions = {
    follow: q.follow,
    tail: q.tail,
    since: q.since,
    streams,
  };
  const format = { timestamps: q.timestamps, details: q.details, tty };

  const flow = new ResponseFlow(res);
  let closed = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const write = (chunk: Buffer) => {
    if (!closed) flow.write(chunk);
  };
  const endResponse = () => {
    if (closed) return;
    closed = true;
    if (flow.headed) res.end();
    finish();
  };
  const cancel = await ctx.logs.subscribe(selector, options, {
    messages(batch: LogMessage[]) {
      for (const m of batch) write(encodeLine(m, format));
    },
    end({ warning }) {
      if (warning && !tty) write(stdcopyFrame(SYSTEMERR, `Error grabbing logs: ${warning}\n`));
      endResponse();
    },
    ready: () => flow.ready(),
  });
  // the client may have gone while the subscription was opening (on a follower that is a round trip)
  const gone = () => {
    cancel();
    closed = true;
    finish();
  };
  if (res.destroyed || req.socket.destroyed) return gone();
  res.once('close', gone);
  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
  });
  res.flushHeaders();
  flow.headSent();
  if (closed) res.end();
  await done;
}

export const logRoutes: Route[] = [
  { method: 'GET', pattern: /^\/services\/([^/]+)\/logs$/, handle: (r) => serveLogs(r, 'service') },
  { method: 'GET', pattern: /^\/tasks\/([^/]+)\/logs$/, handle: (r) => serveLogs(r, 'task') },
];

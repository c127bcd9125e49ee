// Bind a listener, resolving once it accepts connections (or failing with the
// bind error); and what every listener needs settled before the first binds.
import type { Server } from 'node:net';
import { answerToNames } from './http/request-guard';
import { fdLimitWarning, raiseFdLimit } from './net/fd-limit';
import { listenerLimits, type ListenerName } from './net/listener-limits';
import type { HttpListenerLimits } from './net/http-listener';

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Raise the open-file limit (and say so when it stays low), register the
 * names the APIs answer to, and size the listeners' connection limits to the
 * descriptors there are.
 */
export function prepareListeners(names: {
  listenHost: string;
  advertiseAddr: string;
}): Record<ListenerName, HttpListenerLimits> {
  const fd = raiseFdLimit();
  if (fd.error) console.warn(`swarmdeck: could not raise the open file limit to ${fd.before?.hard}: ${fd.error}`);
  const warning = fdLimitWarning(fd.after);
  if (warning) console.warn(`swarmdeck: ${warning}`);
  answerToNames([names.listenHost, names.advertiseAddr]);
  return listenerLimits(fd.after?.soft);
}

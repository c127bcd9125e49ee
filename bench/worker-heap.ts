// A dedicated worker's heap after a forced collection, read over CDP. A page's
// CDP session does not reach its workers, so this attaches to the worker's
// target from a browser-level session and speaks to it through
// Target.sendMessageToTarget (the non-flattened protocol: Playwright's
// sessions take no session ID).
import type { Browser, CDPSession } from '@playwright/test';

const ANSWER_MS = 15_000;

export interface WorkerHeapProbe {
  /** MiB used after a collection, or undefined while the page has no worker (or it does not answer). */
  read(): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * The probe of the dedicated worker named `name`: the wall names its engine's worker as it starts it (the bench
 * opens one page at a time, and a worker's script is a blob URL, which says nothing).
 */
export async function workerHeapProbe(browser: Browser, name: string): Promise<WorkerHeapProbe> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  let sessionId: string | undefined;
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (msg.id === undefined) return;
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  });
  const send = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(undefined);
      }, ANSWER_MS);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  return {
    async read() {
      if (!sessionId) {
        const { targetInfos } = await cdp.send('Target.getTargets');
        const worker = targetInfos.find((t) => t.type === 'worker' && t.title === name);
        if (!worker) return undefined;
        ({ sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false }));
      }
      await send('HeapProfiler.collectGarbage');
      const usage = (await send('Runtime.getHeapUsage')) as { usedSize: number } | undefined;
      return usage ? usage.usedSize / 2 ** 20 : undefined;
    },
    async close() {
      await cdp.detach().catch(() => undefined);
    },
  };
}

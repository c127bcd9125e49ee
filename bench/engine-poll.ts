// Polling a running cluster from a bench: a GET on the Engine API, and a wait
// for a value with a cap (a bench that cannot converge fails, never hangs).
import { engineRequest } from '../test/manager-http';
import { sleep } from './report';

export async function engineGet<T>(engine: string, path: string): Promise<T> {
  const r = await engineRequest(engine, 'GET', path, undefined, 5_000);
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return r.json as T;
}

/** The first value `fn` gives (its errors count as "not yet"), polled every `everyMs` for at most `capMs`. */
export async function pollFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  capMs: number,
  everyMs: number,
): Promise<T> {
  const deadline = Date.now() + capMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(everyMs);
  }
}

// Polling a running cluster from a bench: a GET on the Engine API, and a wait
// for a value with a cap (a bench that cannot converge fails, never hangs).
import { engineRequest } from '../test/manager-http';
import { until } from '../test/until';

export async function engineGet<T>(engine: string, path: string): Promise<T> {
  const r = await engineRequest(engine, 'GET', path, undefined, 5_000);
  if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  return r.json as T;
}

/**
 * The first value `fn` gives other than undefined (0 and false count; its errors are "not yet"),
 * polled every `everyMs` for at most `capMs`: test/until.ts's loop, boxed so falsy values count.
 */
export async function pollFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  capMs: number,
  everyMs: number,
): Promise<T> {
  const box = await until(
    what,
    async () => {
      const v = await fn();
      return v === undefined ? undefined : { v };
    },
    capMs,
    everyMs,
  );
  return box.v;
}

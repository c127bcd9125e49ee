// The Engine API from a spec: one call, its JSON answer (or nothing), and a thrown error
// naming the request and the answer when the status is not 2xx.
import { E2E_ENGINE } from './ports';

export type EngineCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls to the Engine API at `base` (a manager's engine address, optionally with a /v1.xx prefix). */
export function engineClient(base: string): EngineCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The shared e2e cluster's Engine API. */
export const engine = engineClient(E2E_ENGINE);

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

/** How many of the service's tasks run and are meant to (`docker service ps` would show them Running). */
export async function runningTasks(call: EngineCall, service: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ service: [service] }));
  const tasks = await call<{ DesiredState: string; Status: { State: string } }[]>('GET', `/tasks?filters=${filters}`);
  return tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').length;
}

/** The service's UpdateStatus.State, or undefined before its first update. */
export async function updateState(call: EngineCall, id: string): Promise<string | undefined> {
  return (await call<{ UpdateStatus?: { State: string } }>('GET', `/services/${id}`)).UpdateStatus?.State;
}

// Which tasks the page on screen draws, as the socket's task scope. Components
// declare what they need (useTaskScope); the page's scope is the union, and
// every task while anything on screen wants every task or declares nothing
// (a page that says nothing is sent everything, as before scopes existed).

import { useEffect, useMemo } from 'react';
import { MAX_SCOPE_SERVICES, scopeCovers, type TaskScope } from '@/server/api/realtime';

export class TaskScopeRegistry {
  private declared = new Map<number, TaskScope>();
  private next = 0;
  private listeners = new Set<() => void>();

  /** Declare a need; the returned function withdraws it. */
  declare(scope: TaskScope): () => void {
    const key = this.next++;
    this.declared.set(key, scope);
    this.changed();
    return () => {
      this.declared.delete(key);
      this.changed();
    };
  }

  /** The union of what is declared, with its services sorted (so equal scopes compare equal). */
  current(): TaskScope {
    if (this.declared.size === 0) return 'all';
    const ids = new Set<string>();
    for (const s of this.declared.values()) {
      if (s === 'all') return 'all';
      for (const id of s.services) ids.add(id);
    }
    return ids.size > MAX_SCOPE_SERVICES ? 'all' : { services: [...ids].sort() };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

export const scopeKey = (s: TaskScope): string => (s === 'all' ? 'all' : s.services.join(','));

/** The one registry the page uses. */
export const taskScopes = new TaskScopeRegistry();

/**
 * This component draws the tasks of these services only (an empty list: none, it shows
 * counts; undefined: it does not know yet, and declares nothing). Every task is sent
 * while any component on screen declares nothing narrower.
 */
export function useTaskScope(services: readonly string[] | undefined): void {
  const key = services ? [...services].sort().join(',') : undefined;
  const scope = useMemo<TaskScope | undefined>(
    () => (key === undefined ? undefined : { services: key ? key.split(',') : [] }),
    [key],
  );
  useEffect(() => (scope ? taskScopes.declare(scope) : undefined), [scope]);
}

/** Does the store hold every task of this service (so an empty list means it has none)? */
export const holdsTasksOf = (held: TaskScope, serviceID: string): boolean =>
  scopeCovers(held, { services: [serviceID] });

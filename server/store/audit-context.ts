// The actor of the write being made, carried along the async call chain so the
// one write path (ClusterStore.update) can stamp each batch with it without
// every control-API function taking an extra parameter. The doors (console
// API, Engine API, agent sessions) and the control loops set it with `runAs`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '../api/audit';

export interface AuditContext {
  actor: Actor;
  /** what the writer was doing, in words ("POST /services/web/update"); the batch's ops say the rest */
  action?: string;
  /** Set by the write path once a batch of this context was proposed (its record holds the result). */
  wrote?: boolean;
}

const current = new AsyncLocalStorage<AuditContext>();

/** Run `fn` (and everything it awaits) as `ctx.actor`. */
export function runAs<T>(ctx: AuditContext, fn: () => T): T {
  return current.run(ctx, fn);
}

/** The actor of the write being made, if a door or loop set one. */
export function currentAudit(): AuditContext | undefined {
  return current.getStore();
}

/** Run `fn` as `ctx.actor` unless a door or loop already set who is asking (then as that one). */
export function runAsUnlessSet<T>(ctx: AuditContext, fn: () => T): T {
  return current.getStore() ? fn() : current.run(ctx, fn);
}

/**
 * Run `fn` as nobody: what a store watcher starts is not the doing of the
 * writer whose entry it watched (a loop sets its own actor; else unattributed).
 */
export function runAsNobody<T>(fn: () => T): T {
  return current.exit(fn);
}

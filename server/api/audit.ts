// Who or what changed the cluster (issue #12 §2). Plain types: the store stamps
// each proposed batch with the actor of the write, the console reads them back.
import type { Role } from './access';

export type Actor =
  /** a person logged in to the console */
  | { kind: 'account'; id: string; name: string; role: Role }
  /** a read-only share link (the wall display) */
  | { kind: 'share-link'; id: string; name: string }
  /**
   * an Engine API client: the client certificate's subject (CN) and role under
   * --tlsverify; without one, `subject` says how it came in (e.g. "local (no TLS)")
   */
  | { kind: 'engine-client'; subject: string; role?: Role; peer?: string }
  /** a manager's control loop (orchestrator, scheduler, updater, restart supervisor, reaper, …) */
  | { kind: 'control-loop'; name: string }
  /** an agent reporting task status or joining */
  | { kind: 'agent'; nodeID: string }
  /** anything else the manager does on its own (bootstrap, CA renewal, …) */
  | { kind: 'system'; name: string };

/** Something to record that is not (or not only) a store write: a login, a refused request. */
export interface AuditNote {
  actor: Actor;
  /** what was attempted, e.g. "login", "POST /services/web/update", "scale service web to 5" */
  action: string;
  /** the object it was about, when there is one ("service web") */
  target?: string;
  /** "ok", or the error the caller got */
  result: string;
}

/** Where the edges hand notes that are not store writes (failed logins, refused requests). */
export interface AuditSink {
  note(n: AuditNote): void;
}

/** One line of the audit log as the console API returns it (`GET /api/audit`, `/api/audit/export`). */
export interface AuditRecordBody {
  /** The raft index of the entry that holds it (several notes may share one) */
  index: number;
  /** The writer's time of the entry (ISO) */
  time: string;
  actor: Actor;
  /** What was done: the door's words ("POST /services/web/update"), else the changes */
  action: string;
  /** The objects it was about ("service web", "task web.2 +3 more") */
  target?: string;
  /** The batch's ops, counted ("update service, create task ×3"); absent for a note */
  changes?: string;
  /** "ok", or the refusal the writer got */
  result: string;
}

export interface AuditListBody {
  records: AuditRecordBody[];
  /** How many records matched (the list is cut at `limit`) */
  total: number;
}

/** The actor in a word or two: the account, link, certificate subject, loop, node or system part. */
export function actorLabel(a: Actor): string {
  switch (a.kind) {
    case 'account':
    case 'share-link':
      return a.name;
    case 'engine-client':
      return a.subject;
    case 'control-loop':
    case 'system':
      return a.name;
    case 'agent':
      return a.nodeID;
  }
}

/** Accounts, share links and Engine API clients: people, whose records are kept apart from the machinery's. */
export function isPerson(a: Actor): boolean {
  return a.kind === 'account' || a.kind === 'share-link' || a.kind === 'engine-client';
}

/** Whether a record's result is a success: "ok", or "ok" with a detail ("ok (from 10.0.0.2)"). */
export function isOkResult(result: string): boolean {
  return result === 'ok' || result.startsWith('ok ');
}

// Notes reach the log through the leader: a follower's note buffer sends its
// batch over the cluster transport (members only), the leader checks each
// note and proposes them as one audit-only entry.

import type { AuditNote } from '../api/audit';
import { SwarmError } from '../api/errors';
import { AUDIT_NOTES_PER_ENTRY, noteShapeError } from '../store/audit-record';
import type { ClusterStore } from '../store/cluster-store';

export interface NotesLink {
  isLeader(): boolean;
  leader(): string;
  request(to: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

const SEND_TIMEOUT_MS = 5_000;

export function isAuditNotesRequest(p: unknown): p is { auditNotes: unknown } {
  return !!p && typeof p === 'object' && 'auditNotes' in p;
}

/** The note buffer's way to the log: proposed here when leading, else sent to the leader. */
export function notesProposer(store: ClusterStore, link: NotesLink): (notes: AuditNote[]) => Promise<void> {
  return async (notes) => {
    if (link.isLeader()) return store.note(notes);
    const leader = link.leader();
    if (!leader) throw new SwarmError('Unavailable', 'no leader to record audit notes');
    await link.request(leader, { auditNotes: notes }, SEND_TIMEOUT_MS);
  };
}

/** The leader's side: sound notes (at most an entry's worth) proposed; unsound ones left out. */
export function auditNotesHandler(
  store: ClusterStore,
  link: Pick<NotesLink, 'isLeader'>,
): (payload: { auditNotes: unknown }) => Promise<{ recorded: number }> {
  return async ({ auditNotes }) => {
    if (!Array.isArray(auditNotes)) throw new SwarmError('InvalidArgument', 'auditNotes is not a list');
    if (!link.isLeader()) throw new SwarmError('Unavailable', 'not the leader');
    const notes = (auditNotes as unknown[])
      .slice(0, AUDIT_NOTES_PER_ENTRY)
      .filter((n): n is AuditNote => noteShapeError(n) === undefined);
    await store.note(notes);
    return { recorded: notes.length };
  };
}

// Cluster membership: voters, learners (replicated to, never counted) and the
// IDs removed for good. Changes are single-server conf-change entries applied
// when they commit (etcd style), so every member moves through the same
// sequence of configurations at the same log indexes.

import type { ConfState, RaftId } from '../types';
import type { ConfChange } from './types';

export function encodeConfChange(cc: ConfChange): string {
  return JSON.stringify(cc);
}

export function decodeConfChange(data: string): ConfChange {
  return JSON.parse(data) as ConfChange;
}

const CONF_CHANGE_TYPES: ReadonlySet<string> = new Set<ConfChange['type']>([
  'add-voter',
  'add-learner',
  'promote',
  'remove',
]);

/**
 * The change an entry carries, or undefined when its data is not one. A
 * committed entry is applied by every member alike, so a malformed one is
 * skipped everywhere rather than stopping the member that meets it.
 */
export function tryDecodeConfChange(data: string): ConfChange | undefined {
  let cc: unknown;
  try {
    cc = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof cc !== 'object' || cc === null) return undefined;
  const { type, id, context } = cc as Record<string, unknown>;
  if (typeof type !== 'string' || !CONF_CHANGE_TYPES.has(type)) return undefined;
  if (typeof id !== 'string' || id === '') return undefined;
  if (context !== undefined && typeof context !== 'string') return undefined;
  return cc as ConfChange;
}

export class Membership {
  readonly voters = new Set<RaftId>();
  readonly learners = new Set<RaftId>();
  readonly removed = new Set<RaftId>();

  constructor(conf: ConfState) {
    for (const id of conf.voters) this.voters.add(id);
    for (const id of conf.learners) this.learners.add(id);
    for (const id of conf.removed ?? []) this.removed.add(id);
  }

  isVoter(id: RaftId): boolean {
    return this.voters.has(id);
  }

  isLearner(id: RaftId): boolean {
    return this.learners.has(id);
  }

  isMember(id: RaftId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  members(): RaftId[] {
    return [...this.voters, ...this.learners];
  }

  /** Votes (or acks) needed from voters. */
  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** Why a proposed change is not allowed, or undefined when it is. */
  validate(cc: ConfChange): string | undefined {
    if (!cc.id) return 'empty member id';
    if (this.removed.has(cc.id)) return `member ${cc.id} was removed and cannot rejoin`;
    switch (cc.type) {
      case 'add-voter':
        return this.voters.has(cc.id) ? `member ${cc.id} is already a voter` : undefined;
      case 'add-learner':
        return this.isMember(cc.id) ? `member ${cc.id} is already a member` : undefined;
      case 'promote':
        return this.learners.has(cc.id) ? undefined : `member ${cc.id} is not a learner`;
      case 'remove':
        if (!this.isMember(cc.id)) return `member ${cc.id} is not a member`;
        if (this.voters.has(cc.id) && this.voters.size === 1) return 'cannot remove the last voter';
        return undefined;
      default:
        return `unknown conf change ${String((cc as { type: unknown }).type)}`;
    }
  }

  /** Applies a committed change; invalid ones (possible only with racing proposals) are no-ops. */
  apply(cc: ConfChange): boolean {
    if (this.validate(cc) !== undefined) return false;
    switch (cc.type) {
      case 'add-voter':
      case 'promote':
        this.learners.delete(cc.id);
        this.voters.add(cc.id);
        break;
      case 'add-learner':
        this.learners.add(cc.id);
        break;
      case 'remove':
        this.voters.delete(cc.id);
        this.learners.delete(cc.id);
        this.removed.add(cc.id);
        break;
    }
    return true;
  }

  toConfState(): ConfState {
    return {
      voters: [...this.voters].sort(),
      learners: [...this.learners].sort(),
      removed: [...this.removed].sort(),
    };
  }
}

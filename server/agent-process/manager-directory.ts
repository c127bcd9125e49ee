// Where the managers are and which one leads, from the agent's side. Learned
// at join, refreshed with every register/heartbeat answer, and asked of the
// managers in turn when the session is lost, so the agent finds a new leader.

import { DIRECTORY_REQUEST, type ManagerDirectory } from '../manager/dispatcher/remote';

export interface DirectoryTransport {
  addPeer(id: string, addr: string): void;
  removePeer(id: string): void;
  request(target: string, payload: unknown, timeoutMs: number): Promise<unknown>;
}

const ASK_TIMEOUT_MS = 2_000;

export function isManagerDirectory(v: unknown): v is ManagerDirectory {
  const d = v as Partial<ManagerDirectory> | null;
  return (
    !!d &&
    typeof d.leader === 'string' &&
    typeof d.managers === 'object' &&
    d.managers !== null &&
    !Array.isArray(d.managers)
  );
}

export class ManagerDirectoryClient {
  private current: ManagerDirectory;

  constructor(
    private readonly transport: DirectoryTransport,
    initial: ManagerDirectory,
    private readonly persist: (d: ManagerDirectory) => void = () => {},
  ) {
    this.current = { leader: '', managers: {} };
    this.apply(initial);
  }

  get leader(): string | undefined {
    return this.current.leader || undefined;
  }
  get managers(): Record<string, string> {
    return this.current.managers;
  }

  /** Takes a pushed directory: new managers become peers, gone ones are dropped. */
  apply(next: ManagerDirectory): void {
    if (Object.keys(next.managers).length === 0) return; // never forget every manager
    const before = this.current;
    for (const [id, addr] of Object.entries(next.managers)) this.transport.addPeer(id, addr);
    for (const id of Object.keys(before.managers)) if (!(id in next.managers)) this.transport.removePeer(id);
    // a directory from a manager that knows no leader keeps our guess (it may be mid-election)
    this.current = { leader: next.leader || before.leader, managers: { ...next.managers } };
    const changed =
      before.leader !== this.current.leader ||
      JSON.stringify(before.managers) !== JSON.stringify(this.current.managers);
    if (changed) this.persist(this.current);
  }

  /**
   * Asks the managers, the last known leader first, until one names a leader.
   * Returns it, or undefined when nobody answered with one.
   */
  async refresh(): Promise<string | undefined> {
    const ids = Object.keys(this.current.managers);
    const order = this.current.leader ? [this.current.leader, ...ids.filter((i) => i !== this.current.leader)] : ids;
    for (const id of order) {
      try {
        const answer = await this.transport.request(id, DIRECTORY_REQUEST, ASK_TIMEOUT_MS);
        if (isManagerDirectory(answer) && answer.leader) {
          this.apply(answer);
          return answer.leader;
        }
      } catch {
        // that manager is down or refuses us: ask the next
      }
    }
    return undefined;
  }
}

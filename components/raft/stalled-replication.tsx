import type { RaftView } from '@/server/api/raft-view';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * The leader's followers whose replication is stuck behind an entry larger than any message may
 * carry (a log written before proposals were capped): shown only when there are some. The leader
 * does not resend such an entry; it would only be refused again at every heartbeat.
 */
export function StalledReplication({ view }: { view: RaftView | null }) {
  const stalled = view?.members.filter((m) => m.stalled) ?? [];
  if (stalled.length === 0) return null;
  return (
    <section aria-labelledby="stalled-h" className="section" data-testid="stalled-replication">
      <div className="fault-banner" role="alert">
        <span className="fault-icon" aria-hidden="true">
          !
        </span>
        <div className="fault-body">
          <h2 id="stalled-h" className="fault-title">
            {stalled.length === 1
              ? `Replication to ${stalled[0]!.hostname} is stuck`
              : `Replication to ${stalled.length} managers is stuck`}
          </h2>
          <ul className="fault-list">
            {stalled.map((m) => (
              <li key={m.raftId}>
                <span className="fault-what">{m.hostname}</span>
                <span className="fault-message">
                  entry {m.stalled!.index} is {mib(m.stalled!.bytes)} encoded, more than the {mib(m.stalled!.limit)} a
                  message may carry
                </span>
              </li>
            ))}
          </ul>
          <p className="fault-hint">
            Such an entry can only come from a log written before writes were capped at 1.5 MiB. This leader does not
            resend it; the follower catches up when a snapshot covers it.
          </p>
        </div>
      </div>
    </section>
  );
}

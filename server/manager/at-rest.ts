// Encryption at rest on a running manager: its raft keys follow the cluster's
// unlock key (autolock on, off, rotated; swarmkit's watchForKEKChanges), and
// a wanted DEK rotation (locking, an upgraded plaintext data dir, a rotation
// left unfinished by a crash) re-encrypts the raft tables in the background.

import type { Cluster } from '../api/types';
import { RecordReencryption } from '../raft/storage/reencrypt';
import type { SqliteRaftStorage } from '../raft/storage/sqlite-storage';
import type { RaftKeyRing } from '../storage/encryption/raft-key-ring';
import type { ClusterStore } from '../store/cluster-store';

export interface AtRest {
  /** The background pass (tests wait on it). */
  reencryption: RecordReencryption;
  stop(): Promise<void>;
}

export function startAtRest(
  store: ClusterStore,
  storage: SqliteRaftStorage,
  keys: RaftKeyRing,
  log: (line: string) => void = (l) => console.log(l),
): AtRest {
  const reencryption = new RecordReencryption(storage, keys, { log });
  const follow = (cluster: Cluster | undefined) => {
    if (!cluster) return;
    try {
      const wasLocked = keys.locked;
      if (keys.followUnlockKey(cluster.ManagerUnlockKey, cluster.Version.Index)) {
        log(
          keys.locked === wasLocked
            ? 'swarmdeck: raft keys re-wrapped under the rotated unlock key'
            : `swarmdeck: autolock ${keys.locked ? 'on: this manager needs the unlock key after a restart' : 'off'}`,
        );
      }
    } catch (err) {
      log(`swarmdeck: raft keys could not follow the cluster's unlock key: ${(err as Error).message}`);
    }
  };
  follow(store.view.list('cluster')[0]);
  const unwatch = store.view.watch((e) => {
    if (e.changes.some((c) => c.kind === 'cluster')) follow(store.view.list('cluster')[0]);
  });
  // an upgrade, or a rotation a crash left half done
  reencryption.kick();
  return {
    reencryption,
    async stop() {
      unwatch();
      await reencryption.stop();
    },
  };
}

-- Raft's durable state. LogEntry and Snapshot are shared with the single-node
-- log (server/storage/log-storage.ts), so the changes are additive only.
ALTER TABLE "LogEntry" ADD COLUMN "type" TEXT NOT NULL DEFAULT 'normal';

ALTER TABLE "Snapshot" ADD COLUMN "conf" TEXT NOT NULL DEFAULT '{"voters":[],"learners":[]}';

-- One row (id = 1): what must be on disk before a vote or an ack is sent.
CREATE TABLE "RaftHardState" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "term" INTEGER NOT NULL,
    "vote" TEXT NOT NULL,
    "commit" INTEGER NOT NULL
);

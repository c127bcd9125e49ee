CREATE TABLE "LogEntry" (
    "index" INTEGER NOT NULL PRIMARY KEY,
    "term" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TEXT NOT NULL
);

CREATE TABLE "Snapshot" (
    "index" INTEGER NOT NULL PRIMARY KEY,
    "term" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TEXT NOT NULL
);

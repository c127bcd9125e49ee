import { defineConfig } from 'prisma/config';

// The CLI is used only for `generate`; the runtime opens the database itself
// (server/storage/db.ts). env() would throw when the variable is unset.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/swarmdeck.db' },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  test: {
    include: ['server/**/*.test.ts', 'components/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'sim/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // integration tests start real servers on free ports; keep them from fighting over 2 cores
    fileParallelism: true,
    maxWorkers: 2,
  },
});

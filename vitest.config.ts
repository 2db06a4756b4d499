import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'libs/*/test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/*/smoke/**/*.smoke.ts',
      'tools/*/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'threads',
    setupFiles: ['tools/ci/vitest-setup.ts'],
  },
});

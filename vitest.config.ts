import { defineConfig } from 'vitest/config';

/** Unit tests live beside the code; whole-app tests live in test/. */
export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eslint/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

export default config;

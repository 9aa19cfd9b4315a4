import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/conformance/**/*.test.ts'],
    exclude: ['test/live/**', 'test/bench/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-tmp.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})

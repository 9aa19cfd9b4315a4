import {defineConfig} from 'vitest/config'

/** Read-only checks against a real HubSpot portal; every test skips when HUBSPOT_ACCESS_TOKEN is unset. */
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 300_000,
  },
})

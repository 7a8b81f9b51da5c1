import { defineQtsConfig } from '@qts/vitest-config';

export default defineQtsConfig({
  test: {
    // Builds dist/ once: the tests spawn the compiled CLI, as users run it.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

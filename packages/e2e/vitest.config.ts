import { defineQtsConfig } from '@qts/vitest-config';

// The flow tests mostly wait on child processes (the compiled runner, sandboxes, tsx children),
// so files run three at a time even on two cores.
export default defineQtsConfig({
  test: {
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

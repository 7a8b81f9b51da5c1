// Shared vitest settings for every QTS package.
// - resolves sibling workspace packages to their TypeScript source (condition "@qts/source"),
//   so tests never need a build of the package under test;
// - writes a JSON report to .reports/vitest.json, which .ci/run adds up into one summary line;
// - points QTS_HOME at a fresh temporary folder (setup file), never at the user's.
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

const setupFile = fileURLToPath(new URL('./setup.js', import.meta.url));

/**
 * Creates a package's vitest config.
 * @param {import('vitest/config').UserConfig} [overrides] Package-specific settings.
 */
export function defineQtsConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions: ['@qts/source'] },
      ssr: { resolve: { conditions: ['@qts/source'] } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        setupFiles: [setupFile],
        restoreMocks: true,
        clearMocks: true,
        testTimeout: 20_000,
        hookTimeout: 20_000,
        reporters: ['default', 'json'],
        outputFile: { json: './.reports/vitest.json' },
        benchmark: { include: ['bench/**/*.bench.ts', 'src/**/*.bench.ts'] },
      },
    }),
    overrides,
  );
}

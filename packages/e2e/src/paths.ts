// Where things are in the monorepo, from this package's folder.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/e2e */
export const E2E_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root. */
export const REPO_ROOT = join(E2E_DIR, '..', '..');
/** The runner as users run it (the bundle), `node apps/runner/dist/bin/cli.cjs`. */
export const RUNNER_CLI = join(REPO_ROOT, 'apps', 'runner', 'dist', 'bin', 'cli.cjs');
/** A package folder by its short name, e.g. `order-contract`. */
export function packageDir(name: string): string {
  return join(REPO_ROOT, 'packages', name);
}

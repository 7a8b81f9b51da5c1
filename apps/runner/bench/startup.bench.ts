// Start-up and end-to-end cost of the compiled CLI, measured in the same run as a bare
// `node -e 0` (goal: `qts --help` <= 2x node, `pnpm exec qts --help` and `pnpm qts --help`
// <= 3x node) and one virtual
// order end to end (spawn, SQLite exchange + journal, route, exit).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, bench, describe } from 'vitest';

const runnerRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(runnerRoot, '..', '..');
const cli = join(runnerRoot, 'dist', 'bin', 'cli.cjs');
const home = mkdtempSync(join(tmpdir(), 'qts-bench-'));
const env = { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' };
const options = { time: 0, iterations: 20, warmupIterations: 2 } as const;

function run(command: string, args: readonly string[], cwd = runnerRoot): void {
  const result = spawnSync(command, args, { cwd, env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('start-up', () => {
  bench('node -e 0 (baseline)', () => run(process.execPath, ['-e', '0']), options);
  bench('node dist/bin/cli.cjs --help', () => run(process.execPath, [cli, '--help']), options);
  // pnpm's own start-up, for context: `pnpm qts` cannot be faster than this
  bench('pnpm --version (pnpm alone)', () => run('pnpm', ['--version'], repoRoot), options);
  bench('pnpm qts --help (repo root)', () => run('pnpm', ['qts', '--help'], repoRoot), options);
  // the README's way: the bin linked at the root
  bench(
    'pnpm exec qts --help (repo root)',
    () => run('pnpm', ['exec', 'qts', '--help'], repoRoot),
    options,
  );
});

describe('virtual order end to end', () => {
  execFileSync(process.execPath, [cli, 'virtual', 'price', '005930', '70000'], {
    env,
    stdio: 'ignore',
  });
  bench(
    'qts order buy 005930 1 --price 70000 --json (virtual, fills)',
    () => run(process.execPath, [cli, 'order', 'buy', '005930', '1', '--price', '70000', '--json']),
    { time: 0, iterations: 10, warmupIterations: 1 },
  );
});

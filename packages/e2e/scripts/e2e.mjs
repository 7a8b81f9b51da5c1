#!/usr/bin/env node
// `pnpm e2e` for this package: runs vitest, then prints the Gate D report even when a test
// failed, and exits non-zero when vitest or any gate failed.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(pkgDir, '.reports', 'vitest.json'), { force: true });
rmSync(join(pkgDir, '.reports', 'gate-d-evidence.jsonl'), { force: true });
// Evidence lines carry this id, so a concurrent run in the same checkout cannot mix in.
const env = { ...process.env, QTS_E2E_RUN_ID: randomUUID() };

// vitest's own bin, run with this node (works with or without node_modules/.bin on PATH)
const require = createRequire(import.meta.url);
const vitestPkg = require.resolve('vitest/package.json');
const { bin } = JSON.parse(readFileSync(vitestPkg, 'utf8'));
const vitestBin = join(dirname(vitestPkg), typeof bin === 'string' ? bin : bin.vitest);
const vitest = spawnSync(process.execPath, [vitestBin, 'run', ...process.argv.slice(2)], {
  cwd: pkgDir,
  stdio: 'inherit',
  env,
});
if (vitest.error) console.error(`could not start vitest: ${vitest.error.message}`);
const report = spawnSync(process.execPath, [join(pkgDir, 'scripts', 'gate-d-report.mjs')], {
  cwd: pkgDir,
  stdio: 'inherit',
  env,
});
const vitestCode = vitest.status ?? 1;
const reportCode = report.status ?? 1;
process.exit(vitestCode !== 0 ? vitestCode : reportCode);

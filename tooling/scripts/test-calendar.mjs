#!/usr/bin/env node
// `pnpm test:calendar [instant ...]`: runs every package's tests with the process clock moved,
// for the test processes and every child they spawn, to prove the suite does not depend on
// the date or hour it runs at.
//
// The clock is moved with libfaketime (Debian package `faketime`), preloaded into each test
// run with a RELATIVE offset (FAKETIME="+Ns"): every process of the run (vitest, its workers,
// spawned `qts` CLIs, sandboxes) sees the same moved clock, and the clock keeps ticking. The
// offset is computed again just before each package starts, so each package's tests begin at
// the chosen instant (and a run that starts at 23:59:40 crosses midnight while it runs).
//
// Instants (Seoul time, KST = UTC+9, the market's clock):
//   year-ahead     now + 365 days
//   monday-2359    the next Monday, 23:59:40 KST (the trading date changes 20 s later)
//   saturday-noon  the next Saturday, 12:00:00 KST (market closed)
//   krx-close      the next weekday, 15:29:50 KST (10 s before the KRX close)
//
// Each run writes its vitest JSON report as .reports/vitest-calendar-<instant>.json, so
// tooling/scripts/test-summary.mjs counts it beside the normal run. Exit code: 0 when every
// package passed at every instant; 1 otherwise (a summary table names what failed).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEOUL_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

/** The next Seoul wall-clock instant after `now` matching the given weekdays, hour and minute. */
function nextSeoul(now, weekdays, hour, minute, second) {
  const seoulNow = new Date(now + SEOUL_OFFSET_MS);
  for (let days = 0; days <= 8; days += 1) {
    const day = new Date(
      Date.UTC(seoulNow.getUTCFullYear(), seoulNow.getUTCMonth(), seoulNow.getUTCDate() + days),
    );
    if (!weekdays.includes(day.getUTCDay())) continue;
    const targetUtc =
      Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute, second) -
      SEOUL_OFFSET_MS;
    if (targetUtc > now + 60_000) return targetUtc;
  }
  throw new Error('no matching instant in the next 8 days');
}

export const INSTANTS = {
  'year-ahead': (now) => now + 365 * DAY_MS,
  'monday-2359': (now) => nextSeoul(now, [1], 23, 59, 40),
  'saturday-noon': (now) => nextSeoul(now, [6], 12, 0, 0),
  'krx-close': (now) => nextSeoul(now, [1, 2, 3, 4, 5], 15, 29, 50),
};

const LIBFAKETIME_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
];

function findLibfaketime() {
  if (process.env.QTS_LIBFAKETIME) return process.env.QTS_LIBFAKETIME;
  return LIBFAKETIME_CANDIDATES.find((path) => existsSync(path));
}

/** Workspace packages with a vitest `test` script, plus the e2e package (its own runner). */
function testPackages() {
  const found = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const manifest = join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      const test = pkg.scripts?.test ?? '';
      if (test.startsWith('vitest'))
        found.push({ dir: join(group, name), name: pkg.name, e2e: false });
      else if (pkg.scripts?.e2e) found.push({ dir: join(group, name), name: pkg.name, e2e: true });
    }
  }
  return found;
}

function vitestBin(pkgDir) {
  // vitest's own bin through node, so no shell or pnpm sits between faketime and the tests.
  const manifest = join(root, pkgDir, 'node_modules', 'vitest', 'package.json');
  const fallback = join(root, 'node_modules', 'vitest', 'package.json');
  const file = existsSync(manifest) ? manifest : fallback;
  const { bin } = JSON.parse(readFileSync(file, 'utf8'));
  return join(dirname(file), typeof bin === 'string' ? bin : bin.vitest);
}

function formatSeoul(ms) {
  return `${new Date(ms + SEOUL_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')} KST`;
}

function main() {
  const args = process.argv.slice(2);
  const wanted = args.filter((a) => !a.startsWith('--'));
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : null;
  const unknown = wanted.filter((name) => !(name in INSTANTS));
  if (unknown.length > 0 || args.includes('--help')) {
    console.log(
      `usage: pnpm test:calendar [${Object.keys(INSTANTS).join('|')} ...] [--only=<pkg>,...]\n` +
        'Runs every package test at each instant (all four when none is named).',
    );
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  const instants = wanted.length > 0 ? wanted : Object.keys(INSTANTS);
  const lib = findLibfaketime();
  if (!lib) {
    console.error(
      'test:calendar needs libfaketime: install it with `sudo apt-get install faketime` ' +
        '(or set QTS_LIBFAKETIME to the path of libfaketime.so.1).',
    );
    process.exit(1);
  }
  const packages = testPackages().filter(
    (p) => !only || only.includes(p.name) || only.includes(p.dir),
  );
  const results = [];
  for (const instant of instants) {
    const reportName = `vitest-calendar-${instant}.json`;
    for (const pkg of packages) {
      const pkgDir = join(root, pkg.dir);
      rmSync(join(pkgDir, '.reports', reportName), { force: true });
      const now = Date.now();
      const target = INSTANTS[instant](now);
      const offsetSeconds = Math.round((target - now) / 1000);
      const env = {
        ...process.env,
        LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(':'),
        FAKETIME: `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}s`,
        // Timers and performance.now() keep real time; only the wall clock moves.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        QTS_TEST_CALENDAR_INSTANT: instant,
      };
      const vitestArgs = ['run', `--outputFile.json=./.reports/${reportName}`];
      // The e2e package runs vitest directly here: its Gate D report belongs to `pnpm e2e`.
      if (pkg.e2e) env.QTS_E2E_RUN_ID = `calendar-${instant}-${process.pid}`;
      const command = [process.execPath, [vitestBin(pkg.dir), ...vitestArgs]];
      console.log(
        `\n=== ${instant}: ${pkg.name} starting at ${formatSeoul(target)} (FAKETIME=${env.FAKETIME})`,
      );
      const run = spawnSync(command[0], command[1], { cwd: pkgDir, stdio: 'inherit', env });
      const ok = run.status === 0;
      results.push({ instant, pkg: pkg.name, ok, status: run.status ?? run.signal });
    }
  }
  console.log('\ncalendar runs:');
  for (const r of results)
    console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.instant.padEnd(14)} ${r.pkg}`);
  const failed = results.filter((r) => !r.ok);
  process.exit(failed.length > 0 ? 1 : 0);
}

main();

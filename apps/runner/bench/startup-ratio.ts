// Whole-process cost of the compiled CLI beside a bare `node -e 0`, paired and interleaved in one
// run: `qts --help` (goal <= 2x node) and one virtual limit order end to end (spawn, SQLite
// exchange + journal, route, exit; goal <= 3x node). Peak memory (max RSS) comes from
// /usr/bin/time when it exists, and so does the CPU time (user + system): on a loaded machine
// wall time grows with the load, CPU time much less. Run by `pnpm --filter @qts/runner bench`; QTS_BENCH_ROUNDS.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 15);
// What users run (`qts`, `pnpm qts`): the bundle; beside it, the unbundled tsc output it is made from.
const cli = fileURLToPath(new URL('../dist/bin/cli.cjs', import.meta.url));
const unbundled = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'qts-startup-'));
const env = { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' };
const TIME = '/usr/bin/time';
const withTime = existsSync(TIME);

function run(args: readonly string[]): { ms: number; rssKb: number | null; cpuMs: number | null } {
  const start = performance.now();
  const result = withTime
    ? spawnSync(TIME, ['-f', '%M %U %S', process.execPath, ...args], { env, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  const [rss, user, system] = withTime
    ? (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
    : [];
  const cpuMs = user !== undefined && system !== undefined ? (user + system) * 1000 : Number.NaN;
  return {
    ms,
    rssKb: rss !== undefined && Number.isFinite(rss) ? rss : null,
    cpuMs: Number.isFinite(cpuMs) ? cpuMs : null,
  };
}

// The floor of any journaled order in a fresh process: node, the SQLite driver, one file in WAL
// mode and one durable insert (what the CLI cannot do without).
const libsql = createRequire(
  createRequire(import.meta.url).resolve('@qts/execution-route/package.json'),
).resolve('libsql');
const floorScript = `const D = require(${JSON.stringify(libsql)}); const db = new D(${JSON.stringify(join(home, 'floor.sqlite'))}); db.exec('PRAGMA journal_mode = WAL'); db.exec('PRAGMA synchronous = FULL'); db.exec('CREATE TABLE IF NOT EXISTS t (x)'); db.prepare('INSERT INTO t VALUES (?)').run(1); db.close();`;

// The bin without its code cache, beside it (so the bundle still finds this package's
// dependencies): what the code cache saves, measured in the same rounds.
const bundleName = /"\/(qts-[0-9a-f]{16}\.cjs)"/.exec(readFileSync(cli, 'utf8'))?.[1];
if (bundleName === undefined) throw new Error('dist/bin/cli.cjs names no bundle: run pnpm build');
const noCache = join(dirname(dirname(cli)), `bench-no-cache-${process.pid}`);
mkdirSync(noCache);
copyFileSync(cli, join(noCache, 'cli.cjs'));
copyFileSync(join(dirname(cli), bundleName), join(noCache, bundleName));

const ORDER = ['order', 'buy', '005930', '1', '--price', '70000', '--json'] as const;
const cases: Record<string, readonly string[]> = {
  'node -e 0': ['-e', '0'],
  'floor: node + libsql + one durable SQLite insert': ['-e', floorScript],
  'qts --help': [cli, '--help'],
  'qts order buy 005930 1 --price 70000 --json (virtual)': [cli, ...ORDER],
  'the same order, bundle without its code cache': [join(noCache, 'cli.cjs'), ...ORDER],
  'the same order, unbundled (dist/cli.js, tsc output)': [unbundled, ...ORDER],
};
run([cli, 'virtual', 'price', '005930', '70000']);
const names = Object.keys(cases);
const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const rss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS + 1; round += 1) {
  for (let k = 0; k < names.length; k += 1) {
    const name = names[(round + k) % names.length] as string;
    const result = run(cases[name] as readonly string[]);
    if (round === 0) continue; // warm-up (file cache)
    (times[name] as number[]).push(result.ms);
    if (result.rssKb !== null) (rss[name] as number[]).push(result.rssKb);
    if (result.cpuMs !== null) (cpu[name] as number[]).push(result.cpuMs);
  }
}
rmSync(home, { recursive: true, force: true });
rmSync(noCache, { recursive: true, force: true });

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const base = median(times['node -e 0'] as number[]);
const cpuBase = median(cpu['node -e 0'] as number[]);
const load = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
const lines = [
  `qts start-up vs node -e 0, ${ROUNDS} interleaved rounds (${new Date().toISOString().slice(0, 19)}Z, load average ${load} (${availableParallelism()} cores), Node ${process.version})`,
];
const out: Record<
  string,
  {
    medianMs: number;
    ratio: number;
    cpuMs: number | null;
    cpuRatio: number | null;
    maxRssMb: number | null;
  }
> = {};
for (const name of names) {
  const ms = median(times[name] as number[]);
  const mb = (rss[name] as number[]).length > 0 ? median(rss[name] as number[]) / 1024 : null;
  const cpuMs = (cpu[name] as number[]).length > 0 ? median(cpu[name] as number[]) : null;
  out[name] = {
    medianMs: Number(ms.toFixed(1)),
    ratio: Number((ms / base).toFixed(2)),
    cpuMs,
    cpuRatio: cpuMs === null ? null : Number((cpuMs / cpuBase).toFixed(2)),
    maxRssMb: mb === null ? null : Number(mb.toFixed(1)),
  };
  lines.push(
    `  ${name.padEnd(56)} ${`${ms.toFixed(0)} ms`.padStart(8)} ${`${(ms / base).toFixed(2)}x`.padStart(7)}${cpuMs === null ? '' : `  CPU ${cpuMs.toFixed(0)} ms ${(cpuMs / cpuBase).toFixed(2)}x`}${mb === null ? '' : `  max RSS ${mb.toFixed(0)} MB`}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(out)}\n`);

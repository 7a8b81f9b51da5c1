// pnpm torture [--seed S] [--rounds N] [--parallel P] [--no-skew] [--keep-home]
// Round i runs with seed S + i; a failing round prints its seed, and `--seed <it> --rounds 1`
// draws the same round again.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CLI, FAKETIME_LIB, runRound } from './round.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    parallel: { type: 'string', default: '1' },
    'no-skew': { type: 'boolean', default: false },
    'keep-home': { type: 'boolean', default: false },
  },
});
const seed = values.seed === undefined ? Date.now() % 1_000_000_000 : Number(values.seed);
const rounds = Number(values.rounds);
const parallel = Math.max(1, Number(values.parallel));
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(
    'usage: pnpm torture [--seed <whole number>] [--rounds <n >= 1>] [--parallel <n>]\n',
  );
  process.exit(2);
}
if (!existsSync(CLI)) {
  process.stderr.write(`The compiled runner is missing (${CLI}): run pnpm build first.\n`);
  process.exit(2);
}
let skew = !values['no-skew'];
if (skew && !existsSync(FAKETIME_LIB)) {
  process.stdout.write(
    `notice: ${FAKETIME_LIB} is missing (Debian package faketime): per-process clock skew is skipped; the broker's clock is still skewed\n`,
  );
  skew = false;
}
process.stdout.write(`torture: seed ${seed}, ${rounds} round(s), ${parallel} at a time\n`);
const failing: number[] = [];
const harnessErrors: number[] = [];
const byInvariant: Record<string, number> = {};
let next = 0;
let done = 0;
const t0 = Date.now();
async function worker(): Promise<void> {
  while (next < rounds) {
    const i = next;
    next += 1;
    const roundSeed = seed + i;
    let report: Awaited<ReturnType<typeof runRound>>;
    try {
      report = await runRound(roundSeed, {
        skew: skew && existsSync(FAKETIME_LIB),
        keepHome: values['keep-home'],
      });
    } catch (error) {
      // A harness failure is not a verdict on QTS: say so, count it, go on.
      harnessErrors.push(roundSeed);
      process.stdout.write(
        `round ${i + 1}/${rounds} seed ${roundSeed}: HARNESS ERROR ${String(error)}\n`,
      );
      continue;
    }
    done += 1;
    const p = report.plan;
    const summary = `${p.environment}, ${p.ops.length} ops, ${report.kills} killed, ${report.faults} faults, ${report.reusedPids} reused pids, broker skew ${Math.round(p.brokerSkewMs / 1000)} s, ${report.skewed} skewed processes, ${report.ms} ms`;
    if (report.violations.length === 0) {
      process.stdout.write(`round ${i + 1}/${rounds} seed ${roundSeed}: ok (${summary})\n`);
    } else {
      failing.push(roundSeed);
      process.stdout.write(
        `round ${i + 1}/${rounds} seed ${roundSeed}: ${report.violations.length} VIOLATION(S) (${summary})\n`,
      );
      for (const v of report.violations) {
        byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
        process.stdout.write(`  [${v.invariant}] ${v.detail}\n`);
      }
      process.stdout.write(
        `  exits: ${JSON.stringify(report.exits)}\n  replay: pnpm torture --seed ${roundSeed} --rounds 1\n`,
      );
    }
  }
}
await Promise.all(Array.from({ length: Math.min(parallel, rounds) }, () => worker()));
const seconds = Math.round((Date.now() - t0) / 1000);
if (harnessErrors.length > 0) {
  process.stdout.write(`torture: harness errors in rounds with seeds ${harnessErrors.join(' ')}\n`);
}
if (failing.length === 0) {
  process.stdout.write(`torture: ${done} round(s) checked, 0 violations (${seconds} s)\n`);
} else {
  process.stdout.write(
    `torture: ${done} round(s), ${failing.length} failing (${JSON.stringify(byInvariant)}); seeds: ${failing.join(' ')} (${seconds} s)\n`,
  );
}
process.exit(failing.length === 0 && harnessErrors.length === 0 ? 0 : 1);

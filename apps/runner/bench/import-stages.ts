// Where the start-up CPU of a virtual `qts order` goes: the import cost of each stage, in the
// order the CLI loads them, in fresh processes (median of QTS_BENCH_ROUNDS, default 7); then,
// after them, what the virtual order no longer loads (commander, pino, auth-phase2, the KIS
// sandbox), each measured on top of the same stages. Run by `pnpm --filter @qts/runner bench`.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (file: string) => new URL(`../dist/${file}`, import.meta.url).href;

const stages: readonly (readonly [string, string])[] = [
  ['cli fast path (fast-args)', dist('fast-args.js')],
  ['order command + shared helpers', dist('commands/order.js')],
  ['runtime: config (valibot), log, output', dist('runtime.js')],
  ['@qts/order-contract', '@qts/order-contract'],
  ['wiring', dist('wiring.js')],
  ['@qts/execution-route (+ libsql, its native module)', '@qts/execution-route'],
  ['@qts/broker-virtual/core', '@qts/broker-virtual/core'],
];
const skipped: readonly (readonly [string, string])[] = [
  ['not loaded any more: commander', 'commander'],
  ['not loaded any more: pino', 'pino'],
  ['not loaded any more: @qts/auth-phase2', '@qts/auth-phase2'],
  ['not loaded any more: @qts/broker-virtual/sandbox (ws)', '@qts/broker-virtual/sandbox'],
];
const all = [...stages, ...skipped];

const script = `
const out = [];
for (const spec of ${JSON.stringify(all.map(([, spec]) => spec))}) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await import(spec);
  const used = process.cpuUsage(cpu);
  out.push([(used.user + used.system) / 1000, performance.now() - start]);
}
process.stdout.write(JSON.stringify(out));
`;

const cpu: number[][] = all.map(() => []);
const wall: number[][] = all.map(() => []);
for (let round = 0; round < ROUNDS + 1; round += 1) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  if (round === 0) continue;
  const rows = JSON.parse(result.stdout) as [number, number][];
  rows.forEach(([c, w], k) => {
    cpu[k]?.push(c);
    wall[k]?.push(w);
  });
}
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const lines = [
  `qts order (virtual) import cost per stage, fresh processes, median of ${ROUNDS} (${new Date().toISOString().slice(0, 19)}Z, load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')})`,
];
let total = 0;
all.forEach(([name], k) => {
  const c = median(cpu[k] as number[]);
  if (k < stages.length) total += c;
  lines.push(
    `  ${name.padEnd(56)} CPU ${c.toFixed(1).padStart(5)} ms  wall ${median(wall[k] as number[])
      .toFixed(1)
      .padStart(5)} ms`,
  );
  if (k === stages.length - 1) {
    lines.push(
      `  ${'total of the stages the order loads'.padEnd(56)} CPU ${total.toFixed(1).padStart(5)} ms`,
    );
  }
});
process.stdout.write(`${lines.join('\n')}\n`);

// Gate D 5 (static): no timer, interval, scheduler or loop reaches order placement, cancel or modify.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordEvidence } from '../src/evidence.js';
import { scanForTradingLoops } from '../src/no-trading-loop.js';
import { REPO_ROOT } from '../src/paths.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A temp monorepo-shaped tree: files keyed by path relative to the root. */
function plantTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'qts-e2e-loop-'));
  temps.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('Gate D 5: no automated trading loop (static check)', () => {
  it('Gate D 5: the repository has no timer, scheduler or loop reaching placeOrder/submit/cancel/modify', () => {
    const scan = scanForTradingLoops(REPO_ROOT);
    const byPackage = new Set(scan.files.map((f) => f.split('/').slice(0, 2).join('/')));
    for (const dir of [
      'packages/order-contract',
      'packages/auth-phase2',
      'packages/broker-kis',
      'packages/broker-virtual',
      'packages/execution-route',
      'apps/runner',
    ]) {
      expect(byPackage, `${dir}/src was scanned`).toContain(dir);
    }
    const report = scan.findings.map(
      (f) => `${f.file}:${f.line} ${f.kind} ${f.construct} reaches ${f.reaches}`,
    );
    expect(report, 'constructs that reach an order call').toEqual([]);
    // not vacuous: the scan did see timers and loops (e.g. the runner's watchdog) and functions
    expect(scan.constructs).toBeGreaterThan(0);
    expect(scan.functions).toBeGreaterThan(100);
    recordEvidence(
      5,
      `static scan of ${scan.files.length} source files in ${byPackage.size} packages/apps (${scan.constructs} timers/loops, ${scan.functions} functions followed): 0 reach an order call`,
    );
  });

  it('Gate D 5: the static check FAILS on a planted setInterval(() => route.submit(intent), 1000)', () => {
    const root = plantTree({
      'packages/clean/src/index.ts': 'export const x = 1;\n',
      'apps/bot/src/loop.ts': [
        "import { createExecutionRoute } from '@qts/execution-route';",
        'const route = createExecutionRoute({} as never);',
        "const intent = { symbol: '005930', side: 'buy', quantity: 1, limitPrice: 70000 };",
        'export function start() {',
        '  // an automated trading loop: exactly what Phase 3 forbids',
        '  setInterval(() => route.submit(intent), 1000);',
        '}',
      ].join('\n'),
    });
    const scan = scanForTradingLoops(root);
    expect(scan.files).toEqual(['apps/bot/src/loop.ts', 'packages/clean/src/index.ts']);
    expect(scan.findings).toEqual([
      {
        file: 'apps/bot/src/loop.ts',
        line: 6,
        kind: 'timer-callback',
        construct: 'setInterval',
        reaches: 'submit',
      },
    ]);
    recordEvidence(
      5,
      'planted setInterval(() => route.submit(intent), 1000) is flagged at apps/bot/src/loop.ts:6',
    );
  });

  it('Gate D 5: the static check flags every planted loop shape, through helpers and across files', () => {
    const root = plantTree({
      'packages/a/src/timers.ts': [
        'export function a(adapter: any, req: any) {',
        '  setTimeout(async () => { await adapter.placeOrder(req); }, 10);', // 2
        '  setImmediate(() => adapter.cancelOrder(req));', // 3
        '  process.nextTick(function () { adapter.modifyOrder(req, {}); });', // 4
        '  setInterval(tick, 500);', // 5
        '  setTimeout(route.submit.bind(route), 5);', // 6
        '}',
        'async function tick() { await helper(); }',
        'export const helper = async () => placeAll();',
      ].join('\n'),
      'packages/b/src/helpers.ts': [
        '/* placeAll is defined in another file */',
        'export async function placeAll() {',
        '  return theRoute.submit({ symbol: "005930" });',
        '}',
      ].join('\n'),
      'packages/c/src/loops.ts': [
        'export async function loops(route: any, intent: any) {',
        '  while (true) {', // 2
        '    await route.submit(intent);',
        '    await sleep(1000);',
        '  }',
        '  for (;;) { await route.cancel(id); }', // 6
        '  do {', // 7 (reported at its `while`)
        '    await route.modify(id, { quantity: 1 });',
        '  } while (1);', // 9
        '  while (!stopped) { await placeAll(); }', // 10
        '  for await (const _ of setInterval(1000)) { await route.submit(intent); }', // 11
        '}',
      ].join('\n'),
      'apps/d/src/sched.ts': [
        "import cron from 'node-cron';",
        "cron.schedule('* * * * *', () => orders.cancelOrder(ref));", // 2
        'async function again(route: any) {', // 3
        '  await route.submit(x);',
        '  setTimeout(() => again(route), 1000);', // 5
        '}',
        'function recurse(n: number): void { if (n > 0) { doPlace(); recurse(n - 1); } }', // 7
        'function doPlace() { return adapter.placeOrder(r); }',
      ].join('\n'),
      'apps/e/src/bot.ts': [
        'export class Bot {',
        '  private timer: NodeJS.Timeout | undefined;',
        '  start(): void {',
        '    this.timer = setInterval(() => this.#step(), 1000);', // 4
        '  }',
        '  async #step(): Promise<void> {',
        '    await this.route.submit(this.intent);',
        '  }',
        '  later = async (): Promise<void> => {',
        '    setTimeout(this.again, 10);', // 10
        '  };',
        '  again = () => this.adapter.modifyOrder(ref, { quantity: 1 });',
        '}',
        'const handlers = {',
        '  onTimer: async () => { await route.cancelOrder(ref); },',
        '};',
        'queueMicrotask(handlers.onTimer);', // 17
      ].join('\n'),
    });
    const scan = scanForTradingLoops(root);
    const got = scan.findings.map((f) => `${f.file}:${f.line} ${f.kind}`);
    expect(got).toEqual([
      'apps/d/src/sched.ts:2 scheduler-callback',
      'apps/d/src/sched.ts:3 recursive-function',
      'apps/d/src/sched.ts:5 timer-callback',
      'apps/d/src/sched.ts:7 recursive-function',
      'apps/e/src/bot.ts:4 timer-callback',
      'apps/e/src/bot.ts:10 timer-callback',
      'apps/e/src/bot.ts:17 timer-callback',
      'packages/a/src/timers.ts:2 timer-callback',
      'packages/a/src/timers.ts:3 timer-callback',
      'packages/a/src/timers.ts:4 timer-callback',
      'packages/a/src/timers.ts:5 timer-callback',
      'packages/a/src/timers.ts:6 timer-callback',
      'packages/c/src/loops.ts:2 infinite-loop',
      'packages/c/src/loops.ts:6 infinite-loop',
      'packages/c/src/loops.ts:9 infinite-loop',
      'packages/c/src/loops.ts:10 flag-loop',
      'packages/c/src/loops.ts:11 timer-iterator-loop',
    ]);
    const viaHelper = scan.findings.find((f) => f.line === 5 && f.file.endsWith('timers.ts'));
    expect(viaHelper?.reaches).toBe('tick -> helper -> placeAll -> submit');
  });

  it('Gate D 5: the static check FAILS on shapes a hand-written lexer misread (it parses the code)', () => {
    const root = plantTree({
      'packages/f/src/lexer-traps.ts': [
        // a regular expression with a quote after `)`: a lexer took `/` for a division and the
        // quote for the start of a string that hid the rest of the line
        "export function trap(s: string) { if (s) /'/.test(s); setInterval(() => route.submit(i), 1000); }", // 1
        "setInterval(() => route['submit'](intent), 1000);", // 2: a computed member call
        'const run = async <T,>(x: T): Promise<void> => { await route.submit(x); };', // 3
        'setTimeout(run, 10);', // 4: a generic arrow function passed by reference
        'function makeTick(): (n: number) => Promise<void> {', // 5: a function-typed return type
        '  return async () => { await adapter.placeOrder(req); };',
        '}',
        'setInterval(makeTick(), 1000);', // 8
        'export async function both(signal: AbortSignal) {',
        '  while (running && !signal.aborted) { await route.cancel(id); }', // 10: two flags
        '  while (this.active === true) { await route.modify(id, {}); }', // 11: a flag compared
        '}',
        // a loop hidden in a template literal's expression
        // biome-ignore lint/suspicious/noTemplateCurlyInString: planted source text with a template literal
        'export const s = `${(() => { while (true) route.submit(i); })()}`;', // 13
        'do { await route.submit(intent); } /* a comment */ while (!0);', // 14
      ].join('\n'),
    });
    const scan = scanForTradingLoops(root);
    expect(
      scan.findings.map((f) => `${f.line} ${f.kind} ${f.construct} reaches ${f.reaches}`),
    ).toEqual([
      '1 timer-callback setInterval reaches submit',
      '2 timer-callback setInterval reaches submit',
      '4 timer-callback setTimeout reaches run -> submit',
      '8 timer-callback setInterval reaches makeTick -> placeOrder',
      '10 flag-loop while (running && !signal.aborted) reaches cancel',
      '11 flag-loop while (this.active === true) reaches modify',
      '13 infinite-loop while (true) reaches submit',
      '14 infinite-loop while (!0) reaches submit',
    ]);
  });

  it('Gate D 5: the static check refuses a file it cannot parse instead of passing it', () => {
    const root = plantTree({
      'packages/g/src/broken.ts': 'export const x = ;\nsetInterval(() => route.submit(i), 1000);\n',
    });
    expect(() => scanForTradingLoops(root)).toThrow(
      /packages\/g\/src\/broken\.ts:1: cannot be parsed/,
    );
  });

  it('Gate D 5: the static check leaves one-shot code, tests, comments and strings alone', () => {
    const root = plantTree({
      'packages/ok/src/route.ts': [
        '// setInterval(() => route.submit(intent), 1000) in a comment is not code',
        "const doc = 'while (true) { route.submit(intent) }';",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: planted source text with a template literal
        'const tpl = `setTimeout(() => adapter.placeOrder(req)) ${name}`;',
        'export async function once(route: any, intent: any, signal: AbortSignal) {',
        '  const timer = setTimeout(() => controller.abort(), 5000);',
        '  try { return await route.submit(intent); } finally { clearTimeout(timer); }',
        '}',
        'export async function cancelAll(route: any, ids: string[]) {',
        '  for (const id of ids) await route.cancel(id);',
        '}',
        'export async function watch(signal: AbortSignal) {',
        '  while (!signal.aborted) { await poll(); await sleep(1000); }',
        '  setInterval(() => ping(), 1000);',
        '}',
        'async function poll() { return adapter.getOrders({ tradingDate: "20260101" }); }',
        'const re = /while (true) { submit() }/g;',
        '// a delegation to a same-named method of another object is not recursion',
        'export function facade(server: any) {',
        '  return { handle: (req: any) => server.handle(req) };',
        '}',
        'function handle(req: any) { return exchange.cancel(req.orderNo); }',
      ].join('\n'),
      'packages/ok/src/route.test.ts': 'setInterval(() => route.submit(intent), 1000);\n',
      'packages/ok/bench/route.bench.ts': 'setInterval(() => route.submit(intent), 1000);\n',
      'packages/ok/src/__fixtures__/loop.ts': 'while (true) route.submit(intent);\n',
    });
    const scan = scanForTradingLoops(root);
    expect(scan.files).toEqual(['packages/ok/src/route.ts']);
    expect(scan.findings).toEqual([]);
  });
});

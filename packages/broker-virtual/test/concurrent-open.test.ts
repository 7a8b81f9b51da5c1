// Two `qts` processes started at the same moment on a fresh QTS_HOME must both work: N processes
// open the same not-yet-existing exchange file at once (creating the folder, switching to WAL,
// migrating the schema) and each places one order; every process succeeds and every order is kept.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVirtualExchange } from '../src/index.js';

const child = fileURLToPath(new URL('./concurrent-open-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const N = 4;
/** The children's clock (Wednesday 10:00 KST): orders are listed for that trading date. */
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const ROUNDS = 3;

interface Outcome {
  code: number | null;
  out: string;
  err: string;
}

/** Starts N children, waits until all are at the barrier, then releases them together. */
async function round(file: string, go: string): Promise<Outcome[]> {
  let ready = 0;
  let release: () => void = () => {};
  const allReady = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = Array.from({ length: N }, (_, index) => {
    const proc = spawn(process.execPath, ['--conditions=@qts/source', '--import', 'tsx', child], {
      cwd: packageDir,
      env: {
        ...process.env,
        QTS_TEST_FILE: file,
        QTS_TEST_GO: go,
        QTS_TEST_INDEX: String(index),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const outcome: Outcome = { code: null, out: '', err: '' };
    proc.stdout.on('data', (d) => {
      const before = outcome.out.includes('READY');
      outcome.out += String(d);
      if (!before && outcome.out.includes('READY') && ++ready === N) release();
    });
    proc.stderr.on('data', (d) => {
      outcome.err += String(d);
    });
    return new Promise<Outcome>((resolve) => {
      proc.on('exit', (code) => {
        outcome.code = code;
        // A child that dies before the barrier must not block the others.
        if (!outcome.out.includes('READY') && ++ready === N) release();
        resolve(outcome);
      });
    });
  });
  await allReady;
  writeFileSync(go, '');
  return Promise.all(done);
}

describe('concurrent open of one fresh file', () => {
  it(`${N} processes create, migrate and write the same exchange file at once`, async () => {
    const home = process.env.QTS_HOME;
    if (home === undefined) throw new Error('the shared vitest setup sets QTS_HOME');
    for (let r = 0; r < ROUNDS; r++) {
      const base = mkdtempSync(join(home, 'concurrent-'));
      // Neither the folder nor the file exists yet: the children race to create both.
      const file = join(base, 'virtual', 'exchange.sqlite');
      const outcomes = await round(file, join(base, 'go'));
      for (const o of outcomes) {
        expect({ code: o.code, out: o.out.trim(), err: o.err.trim() }).toMatchObject({
          code: 0,
          out: expect.stringMatching(/^READY\nOK \d{10}$/),
        });
      }
      const exchange = createVirtualExchange({ file, clock: () => WED_10_KST });
      const orders = exchange.orders('00000000-01');
      exchange.close();
      expect(orders.map((o) => o.quantity).sort()).toEqual([1, 2, 3, 4]);
      expect(new Set(orders.map((o) => o.orderNo)).size).toBe(N);
    }
  }, 60_000);
});

// Two `qts` processes started at the same moment on a fresh QTS_HOME must both work: N processes
// open the same not-yet-existing journal file at once (creating the folder, switching to WAL,
// migrating the schema, writing the key) and each inserts one order; every process succeeds and
// every record is kept.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteJournal } from '../src/index.js';
import { tempDir } from './helpers/setup.js';

const child = fileURLToPath(new URL('./helpers/concurrent-open-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const N = 4;
const ROUNDS = 3;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  out: string;
  err: string;
}

/** Starts N children, waits until all are at the barrier, then releases them together. */
async function round(journal: string, go: string): Promise<Outcome[]> {
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
        QTS_TEST_JOURNAL: journal,
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

describe('concurrent open of one fresh journal', () => {
  it(`${N} processes create, migrate and write the same journal file at once`, async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const dir = tempDir();
      dirs.push(dir);
      // Neither the folder nor the file exists yet: the children race to create both.
      const file = join(dir, 'journal', 'orders.sqlite');
      const outcomes = await round(file, join(dir, 'go'));
      for (const o of outcomes) {
        expect({ code: o.code, out: o.out.trim(), err: o.err.trim() }).toMatchObject({
          code: 0,
          out: expect.stringMatching(/^READY\nOK concurrent-\d$/),
        });
      }
      const journal = createSqliteJournal({
        file,
        mode: 'virtual',
        host: 'virtual',
        account: 'test',
      });
      const orders = journal.list();
      const events = journal.events();
      journal.close();
      expect(orders.map((o) => o.orderId).sort()).toEqual(
        Array.from({ length: N }, (_, i) => `concurrent-${i}`),
      );
      expect(events).toHaveLength(N);
    }
  }, 60_000);
});

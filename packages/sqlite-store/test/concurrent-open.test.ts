// Two `qts` processes started at the same moment on a fresh QTS_HOME must both work: N processes
// open the same not-yet-existing file at once (creating the folder, switching to WAL, migrating
// the schema) and each inserts one row; every process succeeds and every row is kept.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { columnOf, openSqlite, pragmaValue } from '../src/index.js';
import { newerSchema, TEST_MIGRATIONS } from './migrations.js';

const child = fileURLToPath(new URL('./concurrent-open-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const N = 4;
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
      env: { ...process.env, QTS_TEST_FILE: file, QTS_TEST_GO: go, QTS_TEST_INDEX: String(index) },
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
  it(`${N} processes create, migrate and write the same file at once`, async () => {
    const home = process.env.QTS_HOME;
    if (home === undefined) throw new Error('the shared vitest setup sets QTS_HOME');
    for (let r = 0; r < ROUNDS; r++) {
      const base = mkdtempSync(join(home, 'concurrent-'));
      // Neither the folder nor the file exists yet: the children race to create both.
      const file = join(base, 'state', 'store.sqlite');
      const outcomes = await round(file, join(base, 'go'));
      for (const o of outcomes) {
        expect({ code: o.code, out: o.out.trim(), err: o.err.trim() }).toMatchObject({
          code: 0,
          out: expect.stringMatching(/^READY\nOK \d+$/),
        });
      }
      const db = openSqlite({ file, migrations: TEST_MIGRATIONS, newerSchema });
      expect(pragmaValue(db, 'journal_mode')).toBe('wal');
      expect(pragmaValue(db, 'user_version')).toBe(TEST_MIGRATIONS.length);
      const rows = db.prepare('SELECT label, kind FROM items ORDER BY label').all();
      db.close();
      expect(rows.map((row) => [columnOf(row, 'label'), columnOf(row, 'kind')])).toEqual(
        Array.from({ length: N }, (_, i) => [`child-${i}`, 'child']),
      );
    }
  }, 60_000);
});

// Child process of concurrent-open.test.ts: waits at a start barrier (the go file appears), then
// opens the shared file (fresh: the first open creates it) and inserts one row.
// Prints "READY" at the barrier, then "OK <seq>" or "FAIL <error>".
import { existsSync } from 'node:fs';
import { columnOf, openSqlite } from '../src/index.js';
import { newerSchema, TEST_MIGRATIONS } from './migrations.js';

const file = process.env.QTS_TEST_FILE ?? '';
const go = process.env.QTS_TEST_GO ?? '';
const index = Number(process.env.QTS_TEST_INDEX ?? '0');

process.stdout.write('READY\n');
// Spin (no timers): every child leaves the barrier within a millisecond of the go file.
const deadline = Date.now() + 30_000;
while (!existsSync(go)) {
  if (Date.now() > deadline) throw new Error('start barrier timed out');
}
try {
  const db = openSqlite({ file, migrations: TEST_MIGRATIONS, newerSchema });
  const row = db
    .prepare("INSERT INTO items (label, kind) VALUES (?, 'child') RETURNING seq")
    .get(`child-${index}`);
  db.close();
  process.stdout.write(`OK ${String(columnOf(row, 'seq'))}\n`);
} catch (error) {
  const code = (error as { code?: unknown } | null)?.code;
  process.stdout.write(`FAIL ${String(error)} (${String(code)})\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  process.exitCode = 1;
}

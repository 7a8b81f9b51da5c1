// patches/libsql@0.5.29.patch: on Linux x64/arm64 libsql picks its native binary from detect-libc,
// never from process.report.getReport() (about 5 ms of every process start). It must pick the
// binary the unpatched loader picks, and load with process.report out of reach.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const libsqlEntry = createRequire(import.meta.url).resolve('libsql');
const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');

function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe.runIf(linux)('libsql, as patched for QTS', () => {
  it('loads and runs a statement without process.report.getReport', () => {
    const result = runNode(`
process.report.getReport = () => { throw new Error('getReport was called'); };
const Database = require(${JSON.stringify(libsqlEntry)});
const db = new Database(':memory:');
process.stdout.write(String(db.prepare('SELECT 40 + 2 AS answer').get().answer));
db.close();`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('42');
  });

  it('picks the binary the unpatched loader (@neon-rs/load, process.report) picks', () => {
    const result = runNode(`
const from = require('node:module').createRequire(${JSON.stringify(libsqlEntry)});
const { currentTarget } = from('@neon-rs/load');
const { familySync, MUSL } = from('detect-libc');
process.stdout.write(JSON.stringify([currentTarget(), 'linux-' + process.arch + '-' + (familySync() === MUSL ? 'musl' : 'gnu')]));`);
    expect(result.stderr).toBe('');
    const [unpatched, patched] = JSON.parse(result.stdout) as [string, string];
    expect(patched).toBe(unpatched);
  });
});

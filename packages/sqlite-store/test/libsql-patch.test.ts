// patches/libsql@0.5.29.patch: on Linux x64/arm64, when detect-libc says glibc, libsql takes its
// gnu binary without process.report.getReport() (about 5 ms of every process start). It must
// pick the binary upstream's loader picks in every case, whatever /usr/bin/ldd says. Each case
// runs libsql's patched index.js and upstream's (the patched file with the patch's hunk undone)
// in one child, which fakes /usr/bin/ldd and records which @libsql/* package each one requires.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const libsqlEntry = createRequire(import.meta.url).resolve('libsql');
const patch = readFileSync(
  new URL('../../../patches/libsql@0.5.29.patch', import.meta.url),
  'utf8',
);
const linux = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');

/** The patched source with the patch's hunk undone: upstream's index.js. */
function upstreamSource(patched: string): string {
  const lines = patch.slice(patch.indexOf('\n@@')).split('\n').slice(2);
  const before = lines.filter((l) => l.startsWith(' ') || l.startsWith('-')).map((l) => l.slice(1));
  const after = lines.filter((l) => l.startsWith(' ') || l.startsWith('+')).map((l) => l.slice(1));
  const from = after.join('\n').trimEnd();
  if (!patched.includes(from)) throw new Error('the patch is not applied to libsql as installed');
  return patched.replace(from, before.join('\n').trimEnd());
}

const CHILD = `
const fs = require('node:fs');
const Module = require('node:module');
const entry = process.env.LIBSQL_ENTRY;
const ldd = process.env.FAKE_LDD;
const realRead = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (path === '/usr/bin/ldd' && ldd !== 'real') {
    if (ldd === 'missing') throw Object.assign(new Error('ENOENT: /usr/bin/ldd'), { code: 'ENOENT' });
    return ldd === 'musl' ? 'musl libc (x86_64)\\nVersion 1.2.4\\n' : '#!/bin/bash\\n# GNU C Library (Debian GLIBC 2.36-9)\\n';
  }
  return realRead.call(this, path, ...rest);
};
let reports = 0;
const getReport = process.report.getReport.bind(process.report);
process.report.getReport = () => { reports += 1; return getReport(); };
const loaded = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.startsWith('@libsql/')) { loaded.push(request); return {}; }
  return load.call(this, request, ...rest);
};
const run = (source) => {
  loaded.length = 0;
  reports = 0;
  const m = new Module(entry, null);
  m.filename = entry;
  m.paths = Module._nodeModulePaths(require('node:path').dirname(entry));
  m._compile(source, entry);
  return { binary: loaded[0], reports };
};
const patched = run(realRead(entry, 'utf8'));
const upstream = run(process.env.UPSTREAM_SOURCE);
process.stdout.write(JSON.stringify({ patched, upstream }));
`;

function pick(ldd: 'real' | 'glibc' | 'musl' | 'missing') {
  const result = spawnSync(process.execPath, ['-e', CHILD], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      LIBSQL_ENTRY: libsqlEntry,
      FAKE_LDD: ldd,
      UPSTREAM_SOURCE: upstreamSource(readFileSync(libsqlEntry, 'utf8')),
    },
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as {
    patched: { binary: string; reports: number };
    upstream: { binary: string; reports: number };
  };
}

describe.runIf(linux)('libsql, as patched for QTS', () => {
  it('loads and runs a statement with process.report.getReport out of reach', () => {
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `process.report.getReport = () => { throw new Error('getReport was called'); };
const Database = require(${JSON.stringify(libsqlEntry)});
const db = new Database(':memory:');
process.stdout.write(String(db.prepare('SELECT 40 + 2 AS answer').get().answer));
db.close();`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('42');
  });

  it('picks the binary upstream picks, whatever /usr/bin/ldd says', () => {
    for (const ldd of ['real', 'glibc', 'musl', 'missing'] as const) {
      const { patched, upstream } = pick(ldd);
      expect(patched.binary, ldd).toBe(upstream.binary);
      expect(upstream.reports, `${ldd}: upstream asks process.report`).toBeGreaterThan(0);
    }
  });

  it('asks process.report nothing when ldd says glibc (the point of the patch)', () => {
    for (const ldd of ['real', 'glibc'] as const) {
      const { patched } = pick(ldd);
      expect(patched.binary).toBe(`@libsql/linux-${process.arch}-gnu`);
      expect(patched.reports, ldd).toBe(0);
    }
  });
});

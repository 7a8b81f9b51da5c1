// Bundles the compiled CLI (dist/cli.js, from tsc) into dist/bin/: the `qts` command a user
// runs. One process per command means start-up is paid on every order, and most of it was Node
// loading code: resolving, reading, compiling and linking some 90 ES modules one by one, then
// (bundled into ES module chunks) still compiling 400 KB of source on every start.
//
// So the bin is one CommonJS file, compiled once at build time: dist/bin/cli.cjs, a small loader,
// reads dist/bin/qts-<hash>.cjs (the whole CLI; each module still initialised only when a command
// first needs it) with V8's code cache for it, dist/bin/qts-<hash>.cache, made here by a training
// run of a virtual order in a temporary QTS_HOME. V8 ignores a cache made by another Node version
// or with other flags (the code is then compiled as usual), but it compares only a source's length
// and does not check a cache's bytes: the hash in both names keeps a bundle and its cache
// together, and the loader checks the cache's SHA-256 before V8 sees it.
//
// Left out of the bundle, as packages: libsql (native code), pino and pino-pretty (only --verbose
// loads them; pino finds its workers by file) and undici (loaded only for KIS commands).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const outdir = fileURLToPath(new URL('../dist/bin/', import.meta.url));
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [fileURLToPath(new URL('../dist/cli.js', import.meta.url))],
  bundle: true,
  write: false,
  outfile: join(outdir, 'qts.cjs'),
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Source packages resolve to their compiled dist/, never to src/ (the @qts/source condition).
  conditions: [],
  external: ['libsql', 'pino', 'pino-pretty', 'undici'],
  // A dynamic import() of a package left out becomes require(): the bundle runs as a script
  // (node:vm), where import() has no module loader behind it.
  supported: { 'dynamic-import': false },
  // Code written as ES modules reads import.meta.url (createRequire, files beside a module).
  banner: { js: "var __qtsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__qtsImportMetaUrl' },
  legalComments: 'none',
  logLevel: 'warning',
});
const [output] = result.outputFiles;
if (output === undefined) throw new Error('esbuild wrote no bundle');
// The file is a script whose value is the CommonJS wrapper function, so the loader compiles it as
// it is (the entry's #! line is for a file node runs, not for a function body).
// Strict, as the ES modules it is made of were (and as the earlier ES-module bundle ran).
//
// ASCII only, so the loader reads it as latin1 (a one-byte string, no UTF-8 decoding of a
// megabyte on every start): esbuild already escapes every string and identifier; what is left is
// the odd comment (Korean terms), escaped the same way.
const code =
  `(function (exports, require, module, __filename, __dirname) {\n'use strict';\n${output.text.replace(/^#!.*\n/, '')}\n})`.replace(
    /[^\x00-\x7f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
// Any import() left would fail only when its command first ran: refuse it here.
const leftover = /\bimport\s*\(\s*["'`]/.exec(code);
if (leftover !== null) {
  throw new Error(
    `the bundle still has a dynamic import: ${code.slice(leftover.index, leftover.index + 60)}`,
  );
}
const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
const bundleName = `qts-${hash}.cjs`;
const cacheName = `qts-${hash}.cache`;

/** Writes a file whole or not at all (a `qts` starting meanwhile never reads half a file). */
function writeAtomic(name, data, mode) {
  const file = join(outdir, name);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, mode === undefined ? {} : { mode });
  renameSync(temporary, file);
}

writeAtomic(bundleName, code);

// The training run: a virtual order in a throwaway QTS_HOME (no network), compiled exactly as the
// loader compiles it; at exit V8's code cache (with every function the run compiled) is written.
// Whatever goes wrong here (no temporary folder, a failing or hanging run) costs the cache only.
let cacheDigest = null;
let home = null;
try {
  home = mkdtempSync(join(tmpdir(), 'qts-bundle-'));
  const trainer = join(home, 'train.cjs');
  writeFileSync(
    trainer,
    `const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');
const file = ${JSON.stringify(join(outdir, bundleName))};
const script = new Script(readFileSync(file, 'latin1'), { filename: file });
process.on('exit', (code) => { if (code === 0 && process.env.QTS_TRAIN_CACHE) writeFileSync(process.env.QTS_TRAIN_CACHE, script.createCachedData()); });
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(file), bundled, file, ${JSON.stringify(outdir)});
`,
  );
  const env = { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' };
  const train = (args, cacheFile) =>
    spawnSync(process.execPath, [trainer, ...args], {
      env: cacheFile === undefined ? env : { ...env, QTS_TRAIN_CACHE: cacheFile },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const cacheFile = join(home, 'code.cache');
  const price = train(['virtual', 'price', '005930', '70000']);
  const order =
    price.status === 0
      ? train(['order', 'buy', '005930', '1', '--price', '70000', '--json'], cacheFile)
      : price;
  if (order.status === 0 && existsSync(cacheFile)) {
    const cache = readFileSync(cacheFile);
    writeAtomic(cacheName, cache);
    cacheDigest = createHash('sha256').update(cache).digest('hex');
  } else {
    process.stderr.write(
      `bundle: the training run failed (exit ${order.status}${order.error === undefined ? '' : `, ${order.error.message}`}); dist/bin ships without a code cache (start-up is slower, nothing else changes)\n${order.stderr ?? ''}`,
    );
  }
} catch (error) {
  process.stderr.write(
    `bundle: no training run (${error instanceof Error ? error.message : String(error)}); dist/bin ships without a code cache (start-up is slower, nothing else changes)\n`,
  );
} finally {
  if (home !== null) rmSync(home, { recursive: true, force: true });
}

// The files the bin in place now reads (if any): replaced below, they stay a day from now.
const previous = (() => {
  try {
    const text = readFileSync(join(outdir, 'cli.cjs'), 'utf8');
    return [...text.matchAll(/"\/(qts-[0-9a-f]{16}\.(?:cjs|cache))"/g)].map((match) => match[1]);
  } catch {
    return [];
  }
})();

// The loader, written last: a `qts` starting during a build reads the earlier pair or this one.
// V8 checks a cache's version, flags and source length, not its bytes (a damaged cache can be
// taken and its code run): the loader uses a cache only when its SHA-256 is the one written here.
const readCache =
  cacheDigest === null
    ? ''
    : `try {
  const data = readFileSync(__dirname + ${JSON.stringify(`/${cacheName}`)});
  if (createHash('sha256').update(data).digest('hex') === ${JSON.stringify(cacheDigest)}) cachedData = data;
} catch {
  cachedData = undefined;
}
`;
const loader = `#!/usr/bin/env node
// The \`qts\` bin, generated by apps/runner/scripts/bundle.mjs: runs the bundled CLI with V8's code
// cache made for it at build time, when the cache is the one built (else the code is compiled).
// CommonJS: Node starts it without setting up its ES module loader.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');
const file = __dirname + ${JSON.stringify(`/${bundleName}`)};
let cachedData;
${readCache}const script = new Script(readFileSync(file, 'latin1'), { filename: file, cachedData });
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(file), bundled, file, __dirname);
`;
writeAtomic('cli.cjs', loader, 0o755);
// The bin was dist/bin/cli.mjs before; pnpm writes a bin's shim at install and does not rewrite it
// when the bin's path changes, so a checkout installed earlier still starts cli.mjs: the same CLI.
writeAtomic(
  'cli.mjs',
  `#!/usr/bin/env node
// Generated by apps/runner/scripts/bundle.mjs for \`qts\` shims linked when the bin was cli.mjs
// (\`pnpm install --force\` links the bin anew, to cli.cjs, which starts a little faster).
import { createRequire } from 'node:module';
createRequire(import.meta.url)('./cli.cjs');
`,
  0o755,
);

// Files of earlier builds (and the chunks of the earlier ES-module layout) stay for a day after
// they were replaced: a \`qts\` that started before this build may still read them. Then they go.
const keep = new Set(
  [bundleName, cacheName, 'cli.cjs', 'cli.mjs'].map((name) => join(outdir, name)),
);
const now = new Date();
for (const name of previous) {
  const file = join(outdir, name);
  if (!keep.has(file) && existsSync(file)) utimesSync(file, now, now);
}
const dayAgo = now.getTime() - 86_400_000;
for (const entry of readdirSync(outdir, { recursive: true, withFileTypes: true })) {
  const file = join(entry.parentPath, entry.name);
  if (entry.isFile() && !keep.has(file) && statSync(file).mtimeMs < dayAgo) rmSync(file);
}

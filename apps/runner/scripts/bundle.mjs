// Bundles the compiled CLI (dist/cli.js, from tsc) into dist/bin/: the `qts` command a user
// runs. One process per command means start-up is paid on every order; loading some 90 ES
// modules one by one (resolve, read, compile, link) was about half of a virtual order's time.
// The bundle keeps the lazy loading (each command and adapter is its own chunk, loaded by a
// dynamic import as before) and leaves out what must stay a package: libsql (native code),
// pino and pino-pretty (only --verbose loads them; pino finds its workers by file), and undici
// (CommonJS, loaded by a dynamic import whose named exports only Node's own loader provides).
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, transform } from 'esbuild';

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
const result = await build({
  entryPoints: [new URL('../dist/cli.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Source packages resolve to their compiled dist/, never to src/ (the @qts/source condition).
  conditions: [],
  external: ['libsql', 'pino', 'pino-pretty', 'undici'],
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins, and
  // some read __filename (write-file-atomic seeds its temporary names with it). The banner gives
  // every chunk these; `define` renames the free __filename / __dirname of bundled code to the
  // banner's names, so a module that declares its own __dirname cannot collide with them.
  banner: {
    js: [
      "import { createRequire as __qtsCreateRequire } from 'node:module';",
      "import { fileURLToPath as __qtsFileURLToPath } from 'node:url';",
      'const require = __qtsCreateRequire(import.meta.url);',
      'const __qtsFilename = __qtsFileURLToPath(import.meta.url);',
      "const __qtsDirname = __qtsFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  define: { __filename: '__qtsFilename', __dirname: '__qtsDirname' },
  chunkNames: 'chunks/[name]-[hash]',
  // .mjs: Node knows the format from the name, without looking up package.json for each file.
  outExtension: { '.js': '.mjs' },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// Chunk names carry a content hash. Chunks of earlier builds stay for a day: a `qts` process
// that started before this build (a `qts watch`) may still load one of them lazily.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => resolve(file)));
const dayAgo = Date.now() - 86_400_000;
for (const entry of readdirSync(outdir, { recursive: true, withFileTypes: true })) {
  const file = resolve(entry.parentPath, entry.name);
  if (entry.isFile() && !written.has(file) && statSync(file).mtimeMs < dayAgo) rmSync(file);
}

// Every chunk must parse as a module with its banner (a chunk that does not is only found when a
// command first loads it): esbuild parses each output file again and fails the build on an error.
for (const file of written) {
  if (!file.endsWith('.mjs')) continue;
  await transform(readFileSync(file, 'utf8'), { loader: 'js', format: 'esm', logLevel: 'silent' });
}

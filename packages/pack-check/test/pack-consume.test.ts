// Packs every publishable workspace package with `pnpm pack`, checks each tarball (manifest,
// maps, publint, attw --profile esm-only), installs the tarballs into a scratch consumer
// project (offline: only the tarballs and the local pnpm store), type-checks the broker-kis
// README example under strict settings and runs it against startKisSandbox on 127.0.0.1.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokenMapSources,
  extractExample,
  manifestProblems,
  type PackedManifest,
  typeImports,
  typesPackageFor,
} from './pack-helpers.js';

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'qts-pack-check-'));

/** Environment for child pnpm runs: without the parent pnpm run's npm_* settings. */
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_config_)/i.test(key)),
);

interface Packed {
  readonly dir: string;
  readonly name: string;
  readonly tarball: string;
  /** The extracted package root. */
  readonly root: string;
  readonly manifest: PackedManifest;
  /** Text of every file in the tarball, by path relative to the package root. */
  readonly files: Map<string, string>;
}

function publishableDirs(): string[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const entry of readdirSync(join(repositoryRoot, group))) {
      const dir = join(repositoryRoot, group, entry);
      let manifest: { private?: boolean };
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private !== true) dirs.push(dir);
    }
  }
  return dirs.sort();
}

function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
  }
  return files;
}

async function pack(dir: string): Promise<Packed> {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', tarballs], {
    cwd: dir,
    env: childEnv,
  });
  const info = JSON.parse(stdout) as { name: string; filename: string };
  const root = join(work, 'extracted', info.name.replace('/', '+'));
  mkdirSync(root, { recursive: true });
  await run('tar', ['-xzf', info.filename, '-C', root, '--strip-components=1']);
  const files = readTree(root);
  const manifest = JSON.parse(files.get('package.json') ?? '{}') as PackedManifest;
  return { dir, name: info.name, tarball: info.filename, root, manifest, files };
}

let packed: Packed[] = [];

beforeAll(async () => {
  packed = [];
  for (const dir of publishableDirs()) packed.push(await pack(dir));
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('packed packages', () => {
  it('packs the five library packages; apps and tooling stay private', () => {
    expect(packed.map((p) => p.name)).toEqual([
      '@qts/auth-phase2',
      '@qts/broker-kis',
      '@qts/broker-virtual',
      '@qts/execution-route',
      '@qts/order-contract',
    ]);
  });

  it('each manifest is publishable: metadata, exports without @qts/source, type deps', () => {
    const problems = packed.flatMap((p) => {
      const typeDeps = typeImports(p.files).map((name) =>
        existsTypes(p, name) ? name : typesPackageFor(name),
      );
      return manifestProblems(p.manifest, [...p.files.keys()], typeDeps).map(
        (problem) => `${p.name}: ${problem}`,
      );
    });
    expect(problems).toEqual([]);
  });

  it('every source and declaration map points at a file in the tarball', () => {
    expect(packed.flatMap((p) => brokenMapSources(p.files).map((b) => `${p.name}: ${b}`))).toEqual(
      [],
    );
  });

  it('publint reports nothing (suggestions included)', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const reports: string[] = [];
    for (const p of packed) {
      const { messages, pkg } = await publint({ pkgDir: p.root, pack: false, level: 'suggestion' });
      for (const message of messages) reports.push(`${p.name}: ${formatMessage(message, pkg)}`);
    }
    expect(reports).toEqual([]);
  });

  it('attw --profile esm-only finds no problem', async () => {
    const results = await Promise.all(
      packed.map(async (p) => {
        try {
          await run(
            'pnpm',
            ['exec', 'attw', p.tarball, '--profile', 'esm-only', '--format', 'ascii'],
            {
              cwd: fileURLToPath(new URL('..', import.meta.url)),
              env: { ...childEnv, NO_COLOR: '1' },
            },
          );
          return null;
        } catch (error) {
          const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
          return `${p.name}:\n${stdout}${stderr}`;
        }
      }),
    );
    expect(results.filter((r) => r !== null)).toEqual([]);
  }, 60_000);

  it('a strict consumer installs the tarballs offline, type-checks and runs the broker-kis README example against the sandbox', async () => {
    const consumer = join(work, 'consumer');
    mkdirSync(consumer, { recursive: true });
    const fileSpecs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        name: 'qts-consumer',
        private: true,
        type: 'module',
        dependencies: fileSpecs,
        devDependencies: { '@types/node': rootDevDependency('@types/node') },
      }),
    );
    // Inter-package dependencies of the tarballs ("@qts/order-contract": "0.1.0") resolve to the
    // tarballs too, never to a registry.
    writeFileSync(
      join(consumer, 'pnpm-workspace.yaml'),
      `overrides:\n${Object.entries(fileSpecs)
        .map(([name, spec]) => `  '${name}': '${spec}'\n`)
        .join('')}`,
    );
    const { stdout: storeDir } = await run('pnpm', ['store', 'path'], {
      cwd: repositoryRoot,
      env: childEnv,
    });
    await run('pnpm', ['install', '--offline', '--store-dir', storeDir.trim()], {
      cwd: consumer,
      env: { ...childEnv, CI: 'true' },
    });

    const readme = readFileSync(join(repositoryRoot, 'packages/broker-kis/README.md'), 'utf8');
    writeFileSync(join(consumer, 'example.ts'), extractExample(readme, 'paper-order'));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['example.ts'],
      }),
    );
    const tsc = join(repositoryRoot, 'node_modules/typescript/bin/tsc');
    const typecheck = await run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(typecheck).toBe('');

    // The sandbox comes from the installed tarball, not from the workspace.
    writeFileSync(
      join(consumer, 'run-example.mjs'),
      `import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startKisSandbox } from '@qts/broker-virtual';
const sandbox = await startKisSandbox({ environment: 'paper', port: 0 });
try {
  const { stdout } = await promisify(execFile)(process.execPath, ['out/example.js'], {
    env: {
      PATH: process.env.PATH,
      QTS_HOME: process.env.QTS_HOME,
      QTS_KIS_APP_KEY: sandbox.credentials.appKey,
      QTS_KIS_APP_SECRET: sandbox.credentials.appSecret,
      QTS_KIS_ACCOUNT: sandbox.credentials.account,
      QTS_KIS_HTS_ID: sandbox.credentials.htsId,
      QTS_KIS_BASE_URL: sandbox.baseUrl,
      QTS_KIS_WS_URL: sandbox.wsUrl,
    },
    timeout: 30_000,
  });
  process.stdout.write(stdout);
} finally {
  await sandbox.close();
}
`,
    );
    const home = join(work, 'home');
    mkdirSync(home);
    const { stdout } = await run(process.execPath, ['run-example.mjs'], {
      cwd: consumer,
      env: { PATH: process.env.PATH, QTS_HOME: home },
      timeout: 45_000,
    });
    expect(stdout).toMatch(/^accepted: KIS order \d+ on \d{8}\n/);
    expect(stdout).toMatch(/\n\d+ buy 005930 filled 1\/1\n$/);
  }, 90_000);
});

function existsTypes(p: Packed, name: string): boolean {
  // A dependency that ships its own types needs no @types package.
  try {
    const manifest = JSON.parse(
      readFileSync(join(p.dir, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { types?: unknown; typings?: unknown; exports?: unknown };
    return (
      manifest.types !== undefined ||
      manifest.typings !== undefined ||
      JSON.stringify(manifest.exports ?? {}).includes('"types"')
    );
  } catch {
    return false;
  }
}

function rootDevDependency(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = manifest.devDependencies[name];
  if (version === undefined) throw new Error(`the root package.json has no ${name}`);
  return version;
}

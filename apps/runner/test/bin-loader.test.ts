// The `qts` bin as the build makes it (scripts/bundle.mjs): a loader, one CommonJS bundle and
// V8's code cache for it. The cache must fit the bundle it is named for, a cache that does not
// fit (another Node, a damaged file) or none at all must change nothing but the start-up time,
// and the bundle must run as the ES modules it is made of ran (strict mode, no import()).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { QTS_CLI } from '@qts/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

const binDir = dirname(QTS_CLI);
const loader = readFileSync(QTS_CLI, 'utf8');
const named = (extension: string): string => {
  const match = new RegExp(`"/(qts-[0-9a-f]{16}\\.${extension})"`).exec(loader);
  if (match?.[1] === undefined) throw new Error(`the loader names no .${extension} file`);
  return match[1];
};
const bundleName = named('cjs');
const cacheName = named('cache');
const bundle = readFileSync(join(binDir, bundleName), 'utf8');

const homes: string[] = [];
const copies: string[] = [];
afterAll(() => {
  for (const dir of [...homes, ...copies]) rmSync(dir, { recursive: true, force: true });
});

/** Runs a loader (the built one or a copy) in a fresh QTS_HOME: a reference price, then an order. */
function virtualOrder(cli: string): { status: number | null; stdout: string; stderr: string } {
  const home = mkdtempSync(join(tmpdir(), 'qts-bin-'));
  homes.push(home);
  const env = { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' };
  const price = spawnSync(process.execPath, [cli, 'virtual', 'price', '005930', '70000'], {
    env,
    encoding: 'utf8',
  });
  expect(price.status, price.stderr).toBe(0);
  return spawnSync(
    process.execPath,
    [cli, 'order', 'buy', '005930', '3', '--price', '70000', '--json'],
    { env, encoding: 'utf8' },
  );
}

/** A copy of dist/bin beside it (so the bundle still finds the runner's packages). */
function copyOfBin(cache: Buffer | null): string {
  const dir = join(dirname(binDir), `bin-test-${process.pid}-${copies.length}`);
  copies.push(dir);
  mkdirSync(dir);
  copyFileSync(QTS_CLI, join(dir, 'cli.cjs'));
  copyFileSync(join(binDir, bundleName), join(dir, bundleName));
  if (cache !== null) writeFileSync(join(dir, cacheName), cache);
  return join(dir, 'cli.cjs');
}

function expectFilledOrder(result: { status: number | null; stdout: string; stderr: string }) {
  expect(result.status, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({
    status: 'filled',
    symbol: '005930',
    quantity: 3,
    filledQuantity: 3,
    mode: 'virtual',
  });
}

describe('the qts bin (loader, bundle, code cache)', () => {
  it('names a bundle and a cache of the same build: the hash in both names is the bundle’s', () => {
    const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
    expect(bundleName).toBe(`qts-${hash}.cjs`);
    expect(cacheName).toBe(`qts-${hash}.cache`);
  });

  it('the bin hands V8 its cache and V8 takes it (the digest in the loader is the cache’s)', () => {
    const digest = /=== "([0-9a-f]{64})"/.exec(loader)?.[1];
    expect(digest).toBe(
      createHash('sha256')
        .update(readFileSync(join(binDir, cacheName)))
        .digest('hex'),
    );
    // In a fresh process (V8 keeps compiled scripts per process): what the loader's Script saw.
    const hook = join(dirname(binDir), `script-hook-${process.pid}.cjs`);
    copies.push(hook);
    writeFileSync(
      hook,
      `const vm = require('node:vm');
const Original = vm.Script;
vm.Script = class extends Original {
  constructor(source, options) {
    super(source, options);
    process.on('exit', () => process.stderr.write('CACHE ' + (options && options.cachedData ? (this.cachedDataRejected ? 'rejected' : 'used') : 'none') + '\\n'));
  }
};`,
    );
    const home = mkdtempSync(join(tmpdir(), 'qts-bin-'));
    homes.push(home);
    const result = spawnSync(process.execPath, ['-r', hook, QTS_CLI, '--help'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('CACHE used');
  });

  it('the cache fits the bundle on this Node (V8 accepts it)', () => {
    const script = new Script(bundle, {
      filename: join(binDir, bundleName),
      cachedData: readFileSync(join(binDir, cacheName)),
    });
    expect(script.cachedDataRejected).toBe(false);
  });

  it('is strict ASCII code with no import() left (as the ES modules it is made of ran)', () => {
    expect(
      bundle.startsWith(
        "(function (exports, require, module, __filename, __dirname) {\n'use strict';\n",
      ),
    ).toBe(true);
    expect(bundle).not.toMatch(/\bimport\s*\(\s*["'`]/);
    // ASCII only: the loader reads it as latin1.
    expect(bundle).toMatch(/^[\x00-\x7f]*$/);
  });

  it('places the same order with the cache, through cli.mjs (bins linked before), with a damaged cache and with none', () => {
    const damaged = Buffer.from(readFileSync(join(binDir, cacheName)));
    for (let i = 0; i < damaged.length; i += 97) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
    for (const cli of [
      QTS_CLI,
      join(binDir, 'cli.mjs'),
      copyOfBin(damaged),
      copyOfBin(Buffer.alloc(16)),
      copyOfBin(null),
    ]) {
      expectFilledOrder(virtualOrder(cli));
    }
  });

  it('never hands V8 a cache that is not the one built, though V8 would run it', () => {
    // A bundle of the same length with other code, and a cache trained on it (as the build does).
    const other = bundle.replace('Reference price of', 'Xeference price of');
    expect(other).not.toBe(bundle);
    expect(other.length).toBe(bundle.length);
    const cli = copyOfBin(null);
    const dir = dirname(cli);
    writeFileSync(join(dir, 'other.cjs'), other);
    const trainer = `const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');
const [source, file, out] = process.argv.slice(2, 5);
const script = new Script(readFileSync(source, 'utf8'), { filename: file });
process.argv.splice(2, 3);
process.on('exit', () => writeFileSync(out, script.createCachedData()));
script.runInThisContext()({}, createRequire(file), { exports: {} }, file, ${JSON.stringify(dir)});
`;
    writeFileSync(join(dir, 'train.cjs'), trainer);
    const home = mkdtempSync(join(tmpdir(), 'qts-bin-'));
    homes.push(home);
    const env = { PATH: process.env.PATH ?? '', HOME: home, QTS_HOME: home, NO_COLOR: '1' };
    const foreign = join(dir, 'foreign.cache');
    const trained = spawnSync(
      process.execPath,
      [
        join(dir, 'train.cjs'),
        join(dir, 'other.cjs'),
        join(dir, bundleName),
        foreign,
        'virtual',
        'price',
        '005930',
        '70000',
      ],
      { env, encoding: 'utf8' },
    );
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stdout).toContain('Xeference price of');
    // The premise, in a fresh process: V8 takes that cache for the real bundle.
    const accepted = spawnSync(
      process.execPath,
      [
        '-e',
        `const { readFileSync } = require('node:fs'); const { Script } = require('node:vm');
const s = new Script(readFileSync(${JSON.stringify(join(dir, bundleName))}, 'utf8'), { filename: ${JSON.stringify(join(dir, bundleName))}, cachedData: readFileSync(${JSON.stringify(foreign)}) });
process.stdout.write(String(s.cachedDataRejected));`,
      ],
      { env, encoding: 'utf8' },
    );
    expect(accepted.stdout).toBe('false');
    // The loader, given that cache under its cache's name, does not use it: the bundle's own code runs.
    writeFileSync(join(dir, cacheName), readFileSync(foreign));
    const price = spawnSync(process.execPath, [cli, 'virtual', 'price', '005930', '70000'], {
      env,
      encoding: 'utf8',
    });
    expect(price.status, price.stderr).toBe(0);
    expect(price.stdout).toContain('Reference price of 005930');
  });
});

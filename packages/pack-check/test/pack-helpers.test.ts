import { describe, expect, it } from 'vitest';
import {
  brokenMapSources,
  extractExample,
  manifestProblems,
  typeImports,
  typesPackageFor,
} from './pack-helpers.js';

const good = {
  name: '@qts/x',
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://example.test/x.git', directory: 'packages/x' },
  files: ['dist'],
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  dependencies: { ws: '8.23.0', '@types/ws': '8.18.1' },
};
const files = ['LICENSE', 'package.json', 'dist/index.d.ts', 'dist/index.js'];

describe('manifestProblems', () => {
  it('passes a publishable manifest', () => {
    expect(manifestProblems(good, files, ['@types/ws'])).toEqual([]);
  });

  it('fails on the workspace source condition, missing targets, metadata and type deps (planted)', () => {
    const planted = {
      ...good,
      private: true,
      license: undefined,
      repository: undefined,
      files: undefined,
      exports: { '.': { '@qts/source': './src/index.ts', default: './dist/index.js' } },
      dependencies: { ws: '8.23.0', '@qts/order-contract': 'workspace:*' },
    };
    const plantedFiles = ['package.json', 'dist/index.js', 'src/a.test.ts', 'dist/.tsbuildinfo'];
    expect(manifestProblems(planted, plantedFiles, ['@types/ws'])).toEqual([
      'is private: changesets would not publish it',
      'license is not "MIT"',
      'the tarball has no LICENSE file',
      'repository { url, directory } is missing',
      'has no "files" list',
      'ships src/a.test.ts, which is not for users',
      'ships dist/.tsbuildinfo, which is not for users',
      'exports . > @qts/source is the workspace-only "@qts/source" condition',
      'exports . > @qts/source points at ./src/index.ts, not in the tarball',
      'dependency @qts/order-contract is still workspace:*',
      'its published types import from @types/ws, which is not a dependency',
    ]);
  });
});

describe('typeImports and brokenMapSources', () => {
  it('lists bare imports of declaration files', () => {
    const texts = new Map([
      ['dist/a.d.ts', "import type WebSocket from 'ws';\nimport { x } from './b.js';"],
      ['dist/b.d.ts', "export type T = import('@scope/pkg/sub').T; import 'node:fs';"],
      ['dist/c.js', "import 'ignored';"],
      ['dist/d.d.ts', "/** pass `http` from 'msw' */\n// import { x } from 'also-ignored';\n"],
    ]);
    expect(typeImports(texts)).toEqual(['@scope/pkg', 'ws']);
    expect(typesPackageFor('ws')).toBe('@types/ws');
    expect(typesPackageFor('@scope/pkg')).toBe('@types/scope__pkg');
  });

  it('finds map sources that are not in the tarball (planted)', () => {
    const map = (source: string) => JSON.stringify({ version: 3, sources: [source] });
    const texts = new Map([
      ['dist/index.js.map', map('../src/index.ts')],
      ['dist/a/b.d.ts.map', map('../../src/a/b.ts')],
      ['src/index.ts', ''],
    ]);
    expect(brokenMapSources(texts)).toEqual(['dist/a/b.d.ts.map -> ../../src/a/b.ts']);
  });
});

describe('extractExample', () => {
  it('takes the ts block after the marker', () => {
    const readme = 'x\n```ts\nnot this\n```\n<!-- example: one -->\n\n```ts\nconst a = 1;\n```\n';
    expect(extractExample(readme, 'one')).toBe('const a = 1;\n');
    expect(() => extractExample(readme, 'two')).toThrow('no "<!-- example: two -->" in the README');
  });
});

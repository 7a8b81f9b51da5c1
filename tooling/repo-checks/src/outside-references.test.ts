import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOutsideReferences } from './outside-references.js';

const roots: string[] = [];

function plant(tree: Record<string, string>): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'qts-references-'));
  roots.push(root);
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, files: Object.keys(tree) };
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

// Planted texts are built from parts so that this file does not trip the repository check.
const shared = ['..', 'shared'].join('/');
const machine = ['', 'work', 'shared', 'notes'].join('/');
const missing = ['kis-openapi', 'md'].join('.');

const clean = {
  'README.md': 'See [the protocol](docs/kis-protocol.md) and packages/a/README.md.\n',
  'docs/kis-protocol.md': '# KIS\n',
  'packages/a/README.md': 'Back to [the root](../../README.md); facts: kis-protocol.md §4.\n',
  'packages/a/src/x.ts': [
    '// POST order-cash (docs/kis-protocol.md §4).',
    '// https://github.com/koreainvestment/open-trading-api/blob/main/README.md is a web address.',
    '',
  ].join('\n'),
};

describe('checkOutsideReferences', () => {
  it('passes files whose references all resolve in the repository', () => {
    const { root, files } = plant(clean);
    expect(checkOutsideReferences(root, files)).toEqual([]);
  });

  it('fails on ../shared, a machine path and a .md file that is not in the repository (planted)', () => {
    const { root, files } = plant({
      ...clean,
      'packages/a/README.md': `Written from ${shared}/notes.\n`,
      'docs/team.md': `Facts: ${machine}.\nDesign: docs/architecture.md.\n`,
      'packages/a/src/x.ts': `// GET inquire-balance (${missing} section 7).\n`,
    });
    const found = checkOutsideReferences(root, files).map(({ file, line, target }) => ({
      file,
      line,
      target,
    }));
    expect(found).toEqual([
      { file: 'packages/a/README.md', line: 1, target: shared },
      { file: 'packages/a/src/x.ts', line: 1, target: missing },
      { file: 'docs/team.md', line: 1, target: '/work/' },
      { file: 'docs/team.md', line: 2, target: 'docs/architecture.md' },
    ]);
  });
});

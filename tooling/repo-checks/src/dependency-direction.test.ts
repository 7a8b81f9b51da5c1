import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDependencyDirection, type DependencyViolation } from './dependency-direction.js';

type Tree = Record<string, string | Record<string, unknown>>;

const roots: string[] = [];

function plant(tree: Tree): string {
  const root = mkdtempSync(join(tmpdir(), 'qts-repo-checks-'));
  roots.push(root);
  for (const [path, content] of Object.entries(tree)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const manifest = (
  name: string,
  dependencies: string[] = [],
  devDependencies: string[] = [],
  exports: Record<string, string> = { '.': './src/index.ts' },
) => ({
  name,
  type: 'module',
  exports,
  dependencies: Object.fromEntries(dependencies.map((dep) => [dep, 'workspace:*'])),
  devDependencies: Object.fromEntries(
    ['@qts/tsconfig', ...devDependencies].map((dep) => [dep, 'workspace:*']),
  ),
});

/** A small workspace that follows every rule. */
function cleanTree(): Tree {
  return {
    'tooling/tsconfig/package.json': { name: '@qts/tsconfig' },
    'packages/order-contract/package.json': manifest('@qts/order-contract', [], [], {
      '.': './src/index.ts',
      './testing': './src/testing/index.ts',
    }),
    'packages/order-contract/src/index.ts': "export * from './models/order.js';\n",
    'packages/order-contract/src/models/order.ts': 'export const A = 1;\n',
    'packages/order-contract/src/testing/index.ts': "import { it } from 'vitest';\n",
    'packages/auth-phase2/package.json': manifest('@qts/auth-phase2'),
    'packages/auth-phase2/src/index.ts': "import ky from 'ky';\n",
    'packages/broker-virtual/package.json': manifest('@qts/broker-virtual', [
      '@qts/order-contract',
    ]),
    'packages/broker-virtual/src/index.ts': [
      "import type { OrderAdapter } from '@qts/order-contract';",
      "// import { x } from '@qts/broker-kis'; (a comment, not an import)",
      'const text = "import \'@qts/broker-kis\'";',
    ].join('\n'),
    'packages/broker-kis/package.json': manifest(
      '@qts/broker-kis',
      ['@qts/order-contract', '@qts/auth-phase2'],
      ['@qts/broker-virtual'],
    ),
    'packages/broker-kis/src/index.ts': [
      "import { A } from '@qts/order-contract';",
      "export { createKisAuth } from '@qts/auth-phase2';",
    ].join('\n'),
    'packages/broker-kis/src/adapter.test.ts':
      "import { startKisSandbox } from '@qts/broker-virtual';\n",
    'packages/broker-kis/test/conformance.test.ts': [
      "import { describeOrderAdapterConformance } from '@qts/order-contract/testing';",
      "const sandbox = await import('@qts/broker-virtual');",
    ].join('\n'),
    'packages/sqlite-store/package.json': manifest('@qts/sqlite-store'),
    'packages/sqlite-store/src/index.ts': "import Database from 'libsql';\n",
    'packages/execution-route/package.json': manifest(
      '@qts/execution-route',
      ['@qts/order-contract', '@qts/sqlite-store'],
      ['@qts/broker-virtual'],
    ),
    'packages/execution-route/src/index.ts': [
      "import { A } from '@qts/order-contract';",
      "import { openSqlite } from '@qts/sqlite-store';",
    ].join('\n'),
    'packages/e2e/package.json': manifest('@qts/e2e', [], ['@qts/broker-kis', '@qts/runner']),
    'packages/e2e/src/flow.ts': "import { x } from '@qts/broker-kis';\n",
    'apps/runner/package.json': manifest('@qts/runner', [
      '@qts/order-contract',
      '@qts/broker-kis',
      '@qts/broker-virtual',
      '@qts/execution-route',
    ]),
    'apps/runner/src/cli.ts': [
      "import { A } from '@qts/order-contract';",
      "const kis = await import('@qts/broker-kis');",
    ].join('\n'),
  };
}

const rulesOf = (violations: readonly DependencyViolation[]) =>
  violations.map(({ file, line, rule }) => ({ file, line, rule }));

describe('checkDependencyDirection', () => {
  it('passes a workspace that follows the rules', () => {
    expect(checkDependencyDirection(plant(cleanTree()))).toEqual([]);
  });

  it('fails on an upward import in src/ (planted violation)', () => {
    const root = plant({
      ...cleanTree(),
      'packages/order-contract/src/models/order.ts':
        "import { createVirtualOrderAdapter } from '@qts/broker-virtual';\n",
    });
    const violations = checkDependencyDirection(root);
    expect(rulesOf(violations)).toEqual([
      { file: 'packages/order-contract/src/models/order.ts', line: 1, rule: 'forbidden-import' },
    ]);
    expect(violations[0]?.message).toBe(
      '@qts/order-contract src/ may not import @qts/broker-virtual (architecture.md section 2 allows none of ours).',
    );
  });

  it('fails when sqlite-store imports a product package (planted violation)', () => {
    const root = plant({
      ...cleanTree(),
      'packages/sqlite-store/src/open.ts': "import type { Order } from '@qts/order-contract';\n",
    });
    const violations = checkDependencyDirection(root);
    expect(rulesOf(violations)).toEqual([
      { file: 'packages/sqlite-store/src/open.ts', line: 1, rule: 'forbidden-import' },
    ]);
    expect(violations[0]?.message).toBe(
      '@qts/sqlite-store src/ may not import @qts/order-contract (architecture.md section 2 allows none of ours).',
    );
  });

  it('fails on a sideways dynamic import and a sideways re-export', () => {
    const root = plant({
      ...cleanTree(),
      'packages/broker-virtual/src/kis.ts': "const kis = await import('@qts/broker-kis');\n",
      'packages/execution-route/src/adapters.ts':
        "\n\nexport { createVirtualOrderAdapter } from '@qts/broker-virtual';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/broker-virtual/src/kis.ts', line: 1, rule: 'forbidden-import' },
      { file: 'packages/execution-route/src/adapters.ts', line: 3, rule: 'forbidden-import' },
    ]);
  });

  it('fails when src/ imports a sibling that is only a devDependency', () => {
    const root = plant({
      ...cleanTree(),
      'packages/broker-kis/src/sandbox.ts':
        "import { startKisSandbox } from '@qts/broker-virtual';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/broker-kis/src/sandbox.ts', line: 1, rule: 'forbidden-import' },
    ]);
  });

  it('fails on deep imports into src/, dist/ or unlisted subpaths', () => {
    const root = plant({
      ...cleanTree(),
      'packages/broker-kis/src/deep.ts': [
        "import { A } from '@qts/order-contract/src/models/order.js';",
        "import type { B } from '@qts/order-contract/dist/index.js';",
        "import { C } from '@qts/order-contract/internal';",
        "import { D } from '@qts/order-contract/testing';",
      ].join('\n'),
    });
    const violations = checkDependencyDirection(root);
    expect(rulesOf(violations)).toEqual([
      { file: 'packages/broker-kis/src/deep.ts', line: 1, rule: 'deep-import' },
      { file: 'packages/broker-kis/src/deep.ts', line: 2, rule: 'deep-import' },
      { file: 'packages/broker-kis/src/deep.ts', line: 3, rule: 'deep-import' },
    ]);
    expect(violations[0]?.message).toBe(
      `"@qts/order-contract/src/models/order.js" reaches into @qts/order-contract's src/: import from "@qts/order-contract" (or a subpath its exports map lists).`,
    );
  });

  it('fails on a relative import that climbs into another package', () => {
    const root = plant({
      ...cleanTree(),
      'packages/broker-virtual/src/index.ts':
        "export { A } from '../../order-contract/src/models/order.js';\n",
      'packages/broker-virtual/test/helper.ts': "import '../../../tooling/tsconfig/x.js';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/broker-virtual/src/index.ts', line: 1, rule: 'relative-escape' },
      { file: 'packages/broker-virtual/test/helper.ts', line: 1, rule: 'relative-escape' },
    ]);
  });

  it('fails on a forbidden package.json dependency and a tooling package in dependencies', () => {
    const root = plant({
      ...cleanTree(),
      'packages/auth-phase2/package.json': manifest('@qts/auth-phase2', ['@qts/order-contract']),
      'packages/execution-route/package.json': manifest('@qts/execution-route', [
        '@qts/order-contract',
        '@qts/sqlite-store',
        '@qts/broker-kis',
        '@qts/tsconfig',
      ]),
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/auth-phase2/package.json', line: null, rule: 'forbidden-dependency' },
      { file: 'packages/execution-route/package.json', line: null, rule: 'forbidden-dependency' },
      { file: 'packages/execution-route/package.json', line: null, rule: 'forbidden-dependency' },
    ]);
  });

  it('fails on a test import of an undeclared sibling', () => {
    const root = plant({
      ...cleanTree(),
      'packages/broker-virtual/test/x.test.ts': "import { y } from '@qts/execution-route';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/broker-virtual/test/x.test.ts', line: 1, rule: 'undeclared-import' },
    ]);
  });

  it('fails on a cycle through a devDependency', () => {
    const root = plant({
      ...cleanTree(),
      'packages/order-contract/package.json': manifest(
        '@qts/order-contract',
        [],
        ['@qts/broker-virtual'],
        { '.': './src/index.ts', './testing': './src/testing/index.ts' },
      ),
    });
    const violations = checkDependencyDirection(root);
    expect(rulesOf(violations)).toEqual([
      { file: 'package.json', line: null, rule: 'dependency-cycle' },
    ]);
    expect(violations[0]?.message).toContain(
      '@qts/order-contract -> @qts/broker-virtual -> @qts/order-contract',
    );
  });

  it('fails on a package without a rule and on an unknown @qts name', () => {
    const root = plant({
      ...cleanTree(),
      'packages/extra/package.json': manifest('@qts/extra'),
      'packages/broker-kis/src/ghost.ts': "import '@qts/ghost';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'packages/broker-kis/src/ghost.ts', line: 1, rule: 'unknown-package' },
      { file: 'packages/extra/package.json', line: null, rule: 'unknown-package' },
    ]);
  });

  it('keeps tooling packages away from product packages', () => {
    const root = plant({
      ...cleanTree(),
      'tooling/checks/package.json': manifest('@qts/checks', [], ['@qts/order-contract']),
      'tooling/checks/src/index.ts': "import { A } from '@qts/order-contract';\n",
    });
    expect(rulesOf(checkDependencyDirection(root))).toEqual([
      { file: 'tooling/checks/package.json', line: null, rule: 'forbidden-dependency' },
      { file: 'tooling/checks/src/index.ts', line: 1, rule: 'forbidden-import' },
    ]);
  });

  it('lets tests use @qts/test-utils as a devDependency, and test-utils use auth-phase2 alone', () => {
    const testUtils = {
      'tooling/test-utils/package.json': manifest('@qts/test-utils', ['@qts/auth-phase2']),
      'tooling/test-utils/src/index.ts': "import { createKisAuth } from '@qts/auth-phase2';\n",
    };
    const clean = plant({
      ...cleanTree(),
      ...testUtils,
      'packages/broker-kis/package.json': manifest(
        '@qts/broker-kis',
        ['@qts/order-contract', '@qts/auth-phase2'],
        ['@qts/broker-virtual', '@qts/test-utils'],
      ),
      'packages/broker-kis/test/sandbox.test.ts': "import { waitUntil } from '@qts/test-utils';\n",
    });
    expect(checkDependencyDirection(clean)).toEqual([]);
    const broken = plant({
      ...cleanTree(),
      ...testUtils,
      'tooling/test-utils/src/kis.ts': "import { x } from '@qts/broker-kis';\n",
      'packages/execution-route/package.json': manifest(
        '@qts/execution-route',
        ['@qts/order-contract', '@qts/sqlite-store', '@qts/test-utils'],
        ['@qts/broker-virtual'],
      ),
      'packages/execution-route/src/wait.ts': "import { waitUntil } from '@qts/test-utils';\n",
    });
    expect(rulesOf(checkDependencyDirection(broken))).toEqual([
      { file: 'packages/execution-route/package.json', line: null, rule: 'forbidden-dependency' },
      { file: 'packages/execution-route/src/wait.ts', line: 1, rule: 'forbidden-import' },
      { file: 'tooling/test-utils/src/kis.ts', line: 1, rule: 'forbidden-import' },
    ]);
  });
});

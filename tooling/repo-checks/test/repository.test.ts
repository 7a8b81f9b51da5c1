// The repository itself against its rules (the checks' own tests plant small trees in src/).
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { checkDependencyDirection, formatViolations } from '../src/dependency-direction.js';
import {
  checkOutsideReferences,
  formatOutsideReferences,
  trackedFiles,
} from '../src/outside-references.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

it('the repository follows the dependency direction of architecture.md section 2', () => {
  const violations = checkDependencyDirection(repositoryRoot);
  expect(formatViolations(violations), 'dependency violations').toBe('');
});

/** Files that commands write and git ignores, which docs may name. */
const GENERATED = ['packages/e2e/gate-d-report.md']; // written by `pnpm e2e`
/** This file: its planted texts are fixtures. */
const SELF = 'tooling/repo-checks/src/outside-references.test.ts';

it('no tracked file of this repository refers outside it', () => {
  const root = repositoryRoot;
  const files = trackedFiles(root).filter((file) => file !== SELF);
  const references = checkOutsideReferences(root, files, GENERATED);
  expect(formatOutsideReferences(references), 'references outside the repository').toBe('');
});

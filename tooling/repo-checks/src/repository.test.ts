import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { checkDependencyDirection, formatViolations } from './dependency-direction.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

it('the repository follows the dependency direction of architecture.md section 2', () => {
  const violations = checkDependencyDirection(repositoryRoot);
  expect(formatViolations(violations), 'dependency violations').toBe('');
});

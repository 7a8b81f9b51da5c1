// @qts/repo-checks: repository rules checked by tests.
export {
  checkDependencyDirection,
  DEPENDENCY_RULES,
  type DependencyViolation,
  formatViolations,
  TEST_ONLY_PACKAGES,
  TOOLING_PACKAGES,
  type ViolationRule,
} from './dependency-direction.js';
export { findModuleReferences, type ModuleReference } from './module-references.js';
export {
  checkOutsideReferences,
  formatOutsideReferences,
  type OutsideReference,
  trackedFiles,
} from './outside-references.js';

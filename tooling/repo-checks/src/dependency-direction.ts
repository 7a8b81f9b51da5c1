import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findModuleReferences } from './module-references.js';

/**
 * Which workspace packages each package's production code may depend on (architecture.md
 * section 2). `'*'` means any package. Tests may also use siblings declared as devDependencies.
 */
export const DEPENDENCY_RULES: Readonly<Record<string, readonly string[] | '*'>> = {
  '@qts/order-contract': [],
  '@qts/auth-phase2': [],
  '@qts/sqlite-store': [],
  '@qts/broker-kis': ['@qts/order-contract', '@qts/auth-phase2'],
  '@qts/broker-virtual': ['@qts/order-contract', '@qts/sqlite-store'],
  '@qts/execution-route': ['@qts/order-contract', '@qts/sqlite-store'],
  '@qts/runner': '*',
  '@qts/e2e': '*',
  '@qts/pack-check': '*',
};

/**
 * Tooling packages: allowed as devDependencies everywhere (tests, benchmarks, configuration),
 * never as dependencies of product code and never imported by production `src/`.
 */
export const TOOLING_PACKAGES: readonly string[] = [
  '@qts/tsconfig',
  '@qts/vitest-config',
  '@qts/repo-checks',
  '@qts/bench-kit',
  '@qts/test-utils',
];

/**
 * The product packages a tooling package may use besides other tooling (architecture.md
 * section 2). `@qts/test-utils` wires KIS connections with auth-phase2, the lowest layer, so
 * every package above it can use it in tests without a cycle.
 */
export const TOOLING_DEPENDENCY_RULES: Readonly<Record<string, readonly string[]>> = {
  '@qts/test-utils': ['@qts/auth-phase2'],
};

/** Packages that hold only tests (every file counts as a test file). */
export const TEST_ONLY_PACKAGES: readonly string[] = ['@qts/e2e', '@qts/pack-check'];

/** What kind of rule a violation breaks. */
export type ViolationRule =
  | 'forbidden-import'
  | 'undeclared-import'
  | 'deep-import'
  | 'relative-escape'
  | 'forbidden-dependency'
  | 'unknown-package'
  | 'dependency-cycle';

/** One break of the dependency rules. */
export interface DependencyViolation {
  /** The file at fault, relative to the root, with `/` separators. */
  readonly file: string;
  /** The 1-based line, or null for package.json findings. */
  readonly line: number | null;
  /** The rule broken. */
  readonly rule: ViolationRule;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly group: 'packages' | 'apps' | 'tooling';
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
  readonly exportKeys: readonly string[] | null;
}

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?)$/;
const SKIPPED_DIRECTORIES = new Set([
  'node_modules',
  'dist',
  '.turbo',
  'temp',
  'etc',
  'coverage',
  '.reports',
]);
const TEST_FILE = /\.(?:test|spec|test-d|bench)\.[cm]?[jt]sx?$/;
const TEST_DIRECTORY = /(?:^|\/)(?:__tests__|__fixtures__|__mocks__)\//;

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function namesOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

function discoverPackages(root: string): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'tooling'] as const) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, entry);
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const json = readJson(manifest);
      if (typeof json.name !== 'string') continue;
      const exportsField = json.exports;
      found.push({
        name: json.name,
        dir,
        group,
        dependencies: [
          ...namesOf(json.dependencies),
          ...namesOf(json.peerDependencies),
          ...namesOf(json.optionalDependencies),
        ],
        devDependencies: namesOf(json.devDependencies),
        exportKeys:
          exportsField === undefined
            ? null
            : typeof exportsField === 'string'
              ? ['.']
              : namesOf(exportsField).filter((key) => key.startsWith('.')),
      });
    }
  }
  return found;
}

function listSourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED_DIRECTORIES.has(entry)) continue;
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) files.push(...listSourceFiles(path));
    else if (SOURCE_FILE.test(entry)) files.push(path);
  }
  return files;
}

function splitPackageSpecifier(specifier: string): { name: string; subpath: string } | null {
  const match = /^(@[^/]+\/[^/]+)(?:\/(.*))?$/.exec(specifier);
  if (match === null) return null;
  return { name: match[1] ?? '', subpath: match[2] ?? '' };
}

function isWorkspaceScope(name: string, packages: ReadonlyMap<string, WorkspacePackage>): boolean {
  return name.startsWith('@qts/') || packages.has(name);
}

/** Production code may use these siblings; null means any. */
function allowedFor(pkg: WorkspacePackage): readonly string[] | null {
  if (pkg.group === 'tooling') {
    return [...TOOLING_PACKAGES, ...(TOOLING_DEPENDENCY_RULES[pkg.name] ?? [])];
  }
  const rule = DEPENDENCY_RULES[pkg.name];
  return rule === '*' ? null : (rule ?? []);
}

function describeAllowed(pkg: WorkspacePackage): string {
  const allowed = allowedFor(pkg);
  if (allowed === null) return 'any package';
  return allowed.length === 0 ? 'none of ours' : allowed.join(', ');
}

function checkManifest(
  root: string,
  pkg: WorkspacePackage,
  packages: ReadonlyMap<string, WorkspacePackage>,
  violations: DependencyViolation[],
): void {
  const file = toPosix(relative(root, join(pkg.dir, 'package.json')));
  if (pkg.group !== 'tooling' && DEPENDENCY_RULES[pkg.name] === undefined) {
    violations.push({
      file,
      line: null,
      rule: 'unknown-package',
      message: `${pkg.name} has no dependency rule: add it to architecture.md section 2 and to DEPENDENCY_RULES in tooling/repo-checks.`,
    });
    return;
  }
  const allowed = allowedFor(pkg);
  for (const name of pkg.dependencies) {
    if (!isWorkspaceScope(name, packages)) continue;
    if (!packages.has(name)) {
      violations.push({
        file,
        line: null,
        rule: 'unknown-package',
        message: `${pkg.name} depends on ${name}, which is not a workspace package: remove it or fix the name.`,
      });
    } else if (pkg.group !== 'tooling' && TOOLING_PACKAGES.includes(name)) {
      violations.push({
        file,
        line: null,
        rule: 'forbidden-dependency',
        message: `${pkg.name} lists the tooling package ${name} in dependencies: move it to devDependencies.`,
      });
    } else if (allowed !== null && !allowed.includes(name)) {
      violations.push({
        file,
        line: null,
        rule: 'forbidden-dependency',
        message: `${pkg.name} may not depend on ${name} (architecture.md section 2 allows ${describeAllowed(pkg)}): remove it, or move it to devDependencies if only tests use it.`,
      });
    }
  }
  for (const name of pkg.devDependencies) {
    if (!isWorkspaceScope(name, packages)) continue;
    if (!packages.has(name)) {
      violations.push({
        file,
        line: null,
        rule: 'unknown-package',
        message: `${pkg.name} has the devDependency ${name}, which is not a workspace package: remove it or fix the name.`,
      });
    } else if (pkg.group === 'tooling' && !allowedFor(pkg)?.includes(name)) {
      violations.push({
        file,
        line: null,
        rule: 'forbidden-dependency',
        message: `The tooling package ${pkg.name} may not depend on the product package ${name}.`,
      });
    }
  }
}

function checkFile(
  root: string,
  pkg: WorkspacePackage,
  path: string,
  packages: ReadonlyMap<string, WorkspacePackage>,
  violations: DependencyViolation[],
): void {
  const file = toPosix(relative(root, path));
  const inPackage = toPosix(relative(pkg.dir, path));
  const production =
    pkg.group !== 'tooling' &&
    !TEST_ONLY_PACKAGES.includes(pkg.name) &&
    inPackage.startsWith('src/') &&
    !TEST_FILE.test(inPackage) &&
    !TEST_DIRECTORY.test(inPackage);
  const allowed = allowedFor(pkg);
  const source = readFileSync(path, 'utf8');
  for (const { specifier, line } of findModuleReferences(source, path)) {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(path), specifier);
      const fromPackage = relative(pkg.dir, target);
      if (fromPackage.startsWith('..') || resolve(pkg.dir, fromPackage) !== target) {
        violations.push({
          file,
          line,
          rule: 'relative-escape',
          message: `"${specifier}" climbs out of ${pkg.name} (to ${toPosix(relative(root, target))}): import the other package by its name and public entry point.`,
        });
      }
      continue;
    }
    const parts = splitPackageSpecifier(specifier);
    if (parts === null || !isWorkspaceScope(parts.name, packages)) continue;
    const target = packages.get(parts.name);
    if (target === undefined) {
      violations.push({
        file,
        line,
        rule: 'unknown-package',
        message: `"${specifier}" names no workspace package: fix the name.`,
      });
      continue;
    }
    if (parts.subpath !== '') {
      const key = `./${parts.subpath}`;
      const exported = target.exportKeys === null ? false : target.exportKeys.includes(key);
      if (!exported) {
        const inner = /^(?:src|dist|lib)(?:\/|$)/.test(parts.subpath);
        violations.push({
          file,
          line,
          rule: 'deep-import',
          message: inner
            ? `"${specifier}" reaches into ${parts.name}'s ${parts.subpath.split('/')[0]}/: import from "${parts.name}" (or a subpath its exports map lists).`
            : `"${specifier}" is not in ${parts.name}'s exports map: import from "${parts.name}" or a listed subpath.`,
        });
        continue;
      }
    }
    if (target.name === pkg.name) continue;
    const declaredForRuntime = pkg.dependencies.includes(target.name);
    const declaredForTests = declaredForRuntime || pkg.devDependencies.includes(target.name);
    if (production) {
      if (allowed !== null && !allowed.includes(target.name)) {
        violations.push({
          file,
          line,
          rule: 'forbidden-import',
          message: `${pkg.name} src/ may not import ${target.name} (architecture.md section 2 allows ${describeAllowed(pkg)}).`,
        });
      } else if (!declaredForRuntime) {
        violations.push({
          file,
          line,
          rule: 'undeclared-import',
          message: `${pkg.name} src/ imports ${target.name}, which is not in its dependencies: add "${target.name}": "workspace:*" to dependencies.`,
        });
      }
    } else if (pkg.group === 'tooling' && !allowedFor(pkg)?.includes(target.name)) {
      violations.push({
        file,
        line,
        rule: 'forbidden-import',
        message: `The tooling package ${pkg.name} may not import the product package ${target.name}.`,
      });
    } else if (!declaredForTests) {
      violations.push({
        file,
        line,
        rule: 'undeclared-import',
        message: `${pkg.name} imports ${target.name} outside src/ without declaring it: add it to devDependencies.`,
      });
    }
  }
}

function findCycles(packages: readonly WorkspacePackage[]): string[][] {
  const edges = new Map(
    packages.map((pkg) => [
      pkg.name,
      [...pkg.dependencies, ...pkg.devDependencies].filter(
        (name) => name !== pkg.name && packages.some((other) => other.name === name),
      ),
    ]),
  );
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'active') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const pkg of packages) if (state.get(pkg.name) === undefined) visit(pkg.name);
  return cycles;
}

/**
 * Checks the dependency direction of the workspace under `root` (architecture.md section 2):
 * every import in packages/*, apps/* and tooling/* (static, dynamic, `export ... from`,
 * `require`) and every package.json dependency list. Production code (`src/`, minus tests) may
 * import only the siblings its rule allows and declares in `dependencies`; tests may also import
 * declared devDependencies. Deep imports into another package (`@qts/x/src/...`, subpaths not in
 * its exports map, relative paths climbing out of the package) and dependency cycles (also
 * through devDependencies) always fail. Tooling packages may be devDependencies anywhere.
 *
 * @param root The repository root.
 * @returns Every violation found; empty when the rules hold.
 */
export function checkDependencyDirection(root: string): DependencyViolation[] {
  const list = discoverPackages(root);
  const packages = new Map(list.map((pkg) => [pkg.name, pkg]));
  const violations: DependencyViolation[] = [];
  for (const pkg of list) {
    checkManifest(root, pkg, packages, violations);
    for (const path of listSourceFiles(pkg.dir)) checkFile(root, pkg, path, packages, violations);
  }
  for (const cycle of findCycles(list)) {
    violations.push({
      file: 'package.json',
      line: null,
      rule: 'dependency-cycle',
      message: `Dependency cycle ${cycle.join(' -> ')}: a lower package must not depend on a higher one, not even as a devDependency (move the shared test into the higher package or packages/e2e).`,
    });
  }
  return violations;
}

/**
 * Formats violations one per line: `file:line [rule] message`.
 *
 * @param violations The violations.
 * @returns The text.
 */
export function formatViolations(violations: readonly DependencyViolation[]): string {
  return violations
    .map(
      (violation) =>
        `${violation.file}${violation.line === null ? '' : `:${violation.line}`} [${violation.rule}] ${violation.message}`,
    )
    .join('\n');
}

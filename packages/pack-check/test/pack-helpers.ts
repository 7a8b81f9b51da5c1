// Pure checks on a packed package (its package.json and file list), kept apart from the slow
// pack-and-install test so each check can be shown failing on a planted case.
import { dirname, join, normalize } from 'node:path/posix';

/** The parts of a packed package.json the checks read. */
export interface PackedManifest {
  readonly name?: unknown;
  readonly private?: unknown;
  readonly license?: unknown;
  readonly repository?: unknown;
  readonly files?: unknown;
  readonly exports?: unknown;
  readonly dependencies?: unknown;
  readonly devDependencies?: unknown;
}

/** Every string target in an exports map, with the conditions that lead to it. */
function exportTargets(value: unknown, path: string[] = []): { path: string; target: string }[] {
  if (typeof value === 'string') return [{ path: path.join(' > '), target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

/**
 * What is wrong with a packed package.json, given the files in the tarball (paths relative to
 * the package root, e.g. `dist/index.js`). Empty when it may be published.
 */
export function manifestProblems(
  manifest: PackedManifest,
  files: readonly string[],
  dependenciesOnTypes: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  const present = new Set(files);
  if (manifest.private === true) problems.push('is private: changesets would not publish it');
  if (manifest.license !== 'MIT') problems.push('license is not "MIT"');
  if (!present.has('LICENSE')) problems.push('the tarball has no LICENSE file');
  const repository = manifest.repository as { url?: unknown; directory?: unknown } | undefined;
  if (typeof repository?.url !== 'string' || typeof repository.directory !== 'string') {
    problems.push('repository { url, directory } is missing');
  }
  if (!Array.isArray(manifest.files)) problems.push('has no "files" list');
  for (const file of files) {
    if (/\.(test|bench)\.[cm]?[jt]s$|\.tsbuildinfo$|(^|\/)__fixtures__\//.test(file)) {
      problems.push(`ships ${file}, which is not for users`);
    }
  }
  for (const { path, target } of exportTargets(manifest.exports)) {
    if (path.split(' > ').includes('@qts/source')) {
      problems.push(`exports ${path} is the workspace-only "@qts/source" condition`);
    }
    const file = normalize(target.replace(/^\.\//, ''));
    if (!present.has(file))
      problems.push(`exports ${path} points at ${target}, not in the tarball`);
  }
  const deps = { ...(manifest.dependencies as Record<string, string> | undefined) };
  for (const [name, range] of Object.entries(deps)) {
    if (range.startsWith('workspace:')) problems.push(`dependency ${name} is still ${range}`);
  }
  for (const name of dependenciesOnTypes) {
    if (!(name in deps)) {
      problems.push(`its published types import from ${name}, which is not a dependency`);
    }
  }
  return problems;
}

/** Bare module names that the .d.ts files of a tarball import (`from 'x'`, `import('x')`). */
export function typeImports(files: ReadonlyMap<string, string>): string[] {
  const names = new Set<string>();
  for (const [file, text] of files) {
    if (!file.endsWith('.d.ts')) continue;
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of code.matchAll(/(?:from\s+|import\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
      const spec = match[1] ?? '';
      if (spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
    }
  }
  return [...names].sort();
}

/** The @types package that carries a module's types, when the module has none of its own. */
export function typesPackageFor(name: string): string {
  return name.startsWith('@') ? `@types/${name.slice(1).replace('/', '__')}` : `@types/${name}`;
}

/** Source-map entries (`sources` of .js.map and .d.ts.map files) naming files not in the tarball. */
export function brokenMapSources(files: ReadonlyMap<string, string>): string[] {
  const broken: string[] = [];
  for (const [file, text] of files) {
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(text) as { sources?: unknown; sourceRoot?: unknown };
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    for (const source of Array.isArray(map.sources) ? map.sources : []) {
      const target = normalize(join(dirname(file), root, String(source)));
      if (!files.has(target)) broken.push(`${file} -> ${String(source)}`);
    }
  }
  return broken;
}

/**
 * The TypeScript code block that follows `<!-- example: NAME -->` in a README, or an error
 * naming the marker.
 */
export function extractExample(readme: string, name: string): string {
  const marker = `<!-- example: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`no "${marker}" in the README`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at + marker.length));
  if (block?.[1] === undefined) throw new Error(`no \`\`\`ts block after "${marker}"`);
  return block[1];
}

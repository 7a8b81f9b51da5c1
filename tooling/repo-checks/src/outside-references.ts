import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** One reference from a tracked file to something that is not in the repository. */
export interface OutsideReference {
  /** The file at fault, relative to the root, with `/` separators. */
  readonly file: string;
  /** The 1-based line. */
  readonly line: number;
  /** What it refers to. */
  readonly target: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

// Built from parts so that this file does not match its own rules.
const SHARED_FOLDER = ['..', 'shared'].join('/');
const MACHINE_PATH = `/${'work'}/`;

/** Files that are data, not text a person reads (lockfiles, images, archives). */
const SKIPPED =
  /(^|\/)(pnpm-lock\.yaml|\.gitignore)$|\.(png|jpe?g|gif|ico|tgz|gz|zip|sqlite|db|wasm)$/;

/** A `.md` file name or path, e.g. `docs/kis-protocol.md`, `SANDBOX.md`, or one starting `../`. */
const MARKDOWN_REFERENCE = /(?<![\w./-])((?:\.{1,2}\/|[\w@-][\w.@-]*\/)*[\w-][\w.-]*\.md)\b/g;

/** Files tracked by git under `root`, relative, with `/` separators. */
export function trackedFiles(root: string): string[] {
  const output = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return output.split('\0').filter((file) => file !== '' && existsSync(posix.join(root, file)));
}

/**
 * References in `files` (relative to `root`) that point outside the repository: the `shared`
 * folder beside the repository, an absolute path of the machine's work folder, or a `.md` file
 * that is not among `files` nor among `generated` (files a command writes, ignored by git).
 * Web addresses are not checked.
 */
export function checkOutsideReferences(
  root: string,
  files: readonly string[],
  generated: readonly string[] = [],
): OutsideReference[] {
  const known = new Set([...files, ...generated]);
  const basenames = new Set([...known].map((file) => posix.basename(file)));
  const found: OutsideReference[] = [];
  for (const file of files) {
    if (SKIPPED.test(file)) continue;
    let text: string;
    try {
      text = readFileSync(posix.join(root, file), 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\0')) continue;
    text.split('\n').forEach((content, index) => {
      const line = index + 1;
      // Drop web addresses: a repository path inside a URL is not a file here.
      const local = content.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]"'`]*/gi, ' ');
      if (local.includes(SHARED_FOLDER)) {
        found.push({
          file,
          line,
          target: SHARED_FOLDER,
          message: `refers to ${SHARED_FOLDER}, a folder outside the repository: write what is needed into docs/ and cite that.`,
        });
      }
      if (local.includes(MACHINE_PATH)) {
        found.push({
          file,
          line,
          target: MACHINE_PATH,
          message: `contains the machine path ${MACHINE_PATH}: use a path relative to the repository.`,
        });
      }
      for (const match of local.matchAll(MARKDOWN_REFERENCE)) {
        const target = match[1] ?? '';
        if (!resolvesInRepository(file, target, known, basenames)) {
          found.push({
            file,
            line,
            target,
            message: `refers to ${target}, which is not a file in the repository: cite a file that is (KIS facts: docs/kis-protocol.md).`,
          });
        }
      }
    });
  }
  return found;
}

function resolvesInRepository(
  file: string,
  target: string,
  known: ReadonlySet<string>,
  basenames: ReadonlySet<string>,
): boolean {
  if (!target.includes('/')) return basenames.has(target);
  const fromFile = posix.normalize(posix.join(posix.dirname(file), target));
  const fromRoot = posix.normalize(target);
  if (known.has(fromFile) || known.has(fromRoot)) return true;
  // A path inside a package named from elsewhere, e.g. `etc/order-contract.api.md`.
  return !target.startsWith('.') && [...known].some((file) => file.endsWith(`/${fromRoot}`));
}

/** One line per reference, for test output. */
export function formatOutsideReferences(references: readonly OutsideReference[]): string {
  return references.map((r) => `${r.file}:${r.line} ${r.message}`).join('\n');
}

// Gates D 1 and D 4: a package's committed API report (etc/<name>.api.md) against a fresh build.
// The package is compiled from its src/ into a scratch folder (<pkg>/temp/, gitignored, the
// folder api-extractor itself uses), api-extractor runs in check mode (no --local) on that build
// with its fresh report written to the scratch folder, and the two files are compared. The
// committed report is never written.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir, REPO_ROOT } from './paths.js';

/** The result of checking one package's API report. */
export interface ApiReportCheck {
  readonly packageName: string;
  /** packages/<name>/etc/<name>.api.md */
  readonly committedFile: string;
  readonly committedExists: boolean;
  /** sha256 (hex) of the committed report, or null when it does not exist. */
  readonly committedSha256: string | null;
  /** sha256 (hex) of the report api-extractor produced from the fresh build, or null. */
  readonly freshSha256: string | null;
  /** The fresh report's text, or null. */
  readonly freshReport: string | null;
  /** True when the committed and the fresh report are byte-identical. */
  readonly matches: boolean;
  /** api-extractor's exit code in check mode (0: no API change). */
  readonly extractorExitCode: number | null;
  /** The compiler's and api-extractor's output, for failure messages. */
  readonly log: string;
  /** Lines that differ (first few), for failure messages. */
  readonly diff: readonly string[];
}

/** sha256 of a file's bytes, hex. */
export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const API_EXTRACTOR = join(
  REPO_ROOT,
  'node_modules',
  '@microsoft',
  'api-extractor',
  'bin',
  'api-extractor',
);

/**
 * Builds `packages/<name>` into a scratch folder and checks its API report against the committed
 * one.
 */
export function checkApiReport(name: string): ApiReportCheck {
  return checkApiReports(name, [join(packageDir(name), 'etc')])[0] as ApiReportCheck;
}

/**
 * Builds `packages/<name>` once into a scratch folder and runs api-extractor in check mode against
 * the report in each of `reportFolders` (the committed `etc/`, or a folder holding a changed copy
 * to show the check fails on a report that differs from the build).
 */
export function checkApiReports(name: string, reportFolders: readonly string[]): ApiReportCheck[] {
  const dir = packageDir(name);
  const scratchParent = join(dir, 'temp');
  mkdirSync(scratchParent, { recursive: true });
  const scratch = mkdtempSync(join(scratchParent, 'e2e-api-'));
  try {
    const outDir = join(scratch, 'dist');
    const tsc = spawnSync(
      process.execPath,
      [
        TSC,
        '-p',
        join(dir, 'tsconfig.build.json'),
        '--outDir',
        outDir,
        '--tsBuildInfoFile',
        join(scratch, 'build.tsbuildinfo'),
        '--declarationMap',
        'false',
        '--sourceMap',
        'false',
      ],
      { cwd: dir, encoding: 'utf8', timeout: 90_000 },
    );
    const buildLog = `${tsc.stdout ?? ''}${tsc.stderr ?? ''}`;
    const built = tsc.status === 0 && existsSync(join(outDir, 'index.d.ts'));
    return reportFolders.map((reportFolder, index) => {
      const committedFile = join(reportFolder, `${name}.api.md`);
      const committedExists = existsSync(committedFile);
      const base = {
        packageName: `@qts/${name}`,
        committedFile,
        committedExists,
        committedSha256: committedExists ? sha256File(committedFile) : null,
      };
      if (!built) {
        return {
          ...base,
          freshSha256: null,
          freshReport: null,
          matches: false,
          extractorExitCode: null,
          log: `build of ${name} failed (exit ${tsc.status}): ${buildLog}`,
          diff: [],
        };
      }
      const tempFolder = join(scratch, `report-${index}`);
      mkdirSync(tempFolder, { recursive: true });
      const config = join(tempFolder, 'api-extractor.json');
      writeFileSync(
        config,
        JSON.stringify({
          extends: join(dir, 'api-extractor.json'),
          projectFolder: dir,
          mainEntryPointFilePath: join(outDir, 'index.d.ts'),
          apiReport: {
            enabled: true,
            reportFileName: `${name}.api.md`,
            reportFolder,
            reportTempFolder: tempFolder,
          },
        }),
      );
      const ae = spawnSync(process.execPath, [API_EXTRACTOR, 'run', '-c', config], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      const log = `${buildLog}${ae.stdout ?? ''}${ae.stderr ?? ''}`;
      const freshFile = join(tempFolder, `${name}.api.md`);
      const freshReport = existsSync(freshFile) ? readFileSync(freshFile, 'utf8') : null;
      const committedReport = committedExists ? readFileSync(committedFile, 'utf8') : null;
      return {
        ...base,
        freshSha256: existsSync(freshFile) ? sha256File(freshFile) : null,
        freshReport,
        matches:
          freshReport !== null && committedReport !== null && freshReport === committedReport,
        extractorExitCode: ae.status,
        log,
        diff: lineDiff(committedReport ?? '', freshReport ?? ''),
      };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function lineDiff(a: string, b: string): string[] {
  const left = a.split('\n');
  const right = b.split('\n');
  const leftSet = new Set(left);
  const rightSet = new Set(right);
  const out: string[] = [];
  for (const l of left) if (!rightSet.has(l)) out.push(`- ${l}`);
  for (const l of right) if (!leftSet.has(l)) out.push(`+ ${l}`);
  return out.slice(0, 20);
}

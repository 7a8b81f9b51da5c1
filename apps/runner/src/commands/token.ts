// qts token: where the KIS access token is cached and when it expires; never the token.
import { homedir } from 'node:os';
import { EXIT, type ExitCode } from '../failure.js';
import type { Options } from '../options.js';
import type { Runtime } from '../runtime.js';
import { kstDateTime, withEngine } from './shared.js';

/** A path under the home folder as `~/...`. */
function homeRelative(path: string): string {
  const home = homedir();
  return home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** `5 h 02 min`, `12 min`. */
function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${String(minutes % 60).padStart(2, '0')} min` : `${minutes} min`;
}

export async function tokenCommand(
  runtime: Runtime,
  _args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  return withEngine(runtime, 'Reading the token cache…', async (engine) => {
    const status = await engine.token();
    const out = runtime.out;
    if (out.json) {
      out.jsonObject(status);
      return EXIT.ok;
    }
    if (status.mode === 'virtual') {
      out.line('Virtual mode has no token: orders go to the local virtual exchange.');
      return EXIT.ok;
    }
    if (status.expiresAt === null) {
      out.line(`No cached token for ${status.host} (${status.mode}); the next command issues one.`);
      if (status.file !== null) out.line(`Token file: ${status.file}`);
      return EXIT.ok;
    }
    // Seoul times like every other command (--json keeps the ISO times); `name  value` lines
    // rather than a table, so the long file path does not widen every row.
    const left = Date.parse(status.expiresAt) - Date.now();
    const rows: [string, string][] = [
      ['mode', status.mode],
      ['host', status.host ?? '-'],
      [
        'expires at',
        `${kstDateTime(status.expiresAt)}${Number.isNaN(left) ? '' : left <= 0 ? ' (expired)' : ` (in ${duration(left)})`}`,
      ],
      ['cached at', status.cachedAt === null ? '-' : kstDateTime(status.cachedAt)],
      ['file', status.file === null ? '-' : homeRelative(status.file)],
    ];
    for (const [name, value] of rows) out.line(`${name.padEnd(10)}  ${value}`);
    return EXIT.ok;
  });
}

// qts token: where the KIS access token is cached and when it expires; never the token.
import { EXIT, type ExitCode } from '../failure.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { withEngine } from './shared.js';

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
    out.table(
      ['token', ''],
      [
        ['mode', status.mode],
        ['host', status.host],
        ['expires at', status.expiresAt],
        ['cached at', status.cachedAt],
        ['file', status.file],
      ],
    );
    return EXIT.ok;
  });
}

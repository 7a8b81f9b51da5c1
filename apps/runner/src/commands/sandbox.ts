// qts sandbox [--env paper|real] [--port <n>]: broker-virtual's KIS-protocol sandbox on
// 127.0.0.1, state in memory (a fresh account each start), until SIGINT / SIGTERM. Its control
// endpoints (POST /qts-sandbox/price, GET /qts-sandbox/book) are printed as curl lines.

import * as v from 'valibot';
import { EXIT, type ExitCode, usageFailure } from '../failure.js';
import { type Options, readOptions } from '../options.js';
import type { Runtime } from '../runtime.js';
import { stopSignal, untilAborted } from './stop-signal.js';

/** The flags of `qts sandbox` (commander checks --env's choices). */
const SandboxOptionsSchema = v.object({
  env: v.optional(v.picklist(['paper', 'real'])),
  port: v.optional(v.string()),
});

export async function sandboxCommand(
  runtime: Runtime,
  _args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const flags = readOptions(SandboxOptionsSchema, options);
  const environment = flags.env ?? 'paper';
  const portText = flags.port?.trim() ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw usageFailure(
      `--port must be a port number 0-65535 (got ${JSON.stringify(portText)}).`,
      'Use --port 0 to pick a free port.',
    );
  }
  const stop = stopSignal();
  try {
    // Loaded here only: the sandbox brings libsql and ws.
    const { startKisSandbox } = await import('@qts/broker-virtual/sandbox');
    const sandbox = await startKisSandbox({ environment, port });
    runtime.addSecret(sandbox.credentials.appSecret);
    try {
      const lines: [string, string][] = [
        ['QTS_MODE', environment],
        ['QTS_KIS_BASE_URL', sandbox.baseUrl],
        ['QTS_KIS_WS_URL', sandbox.wsUrl],
        ['QTS_KIS_APP_KEY', sandbox.credentials.appKey],
        ['QTS_KIS_APP_SECRET', sandbox.credentials.appSecret],
        ['QTS_KIS_ACCOUNT', sandbox.credentials.account],
        ['QTS_KIS_HTS_ID', sandbox.credentials.htsId],
      ];
      if (runtime.out.json) runtime.out.jsonObject(Object.fromEntries(lines));
      else for (const [name, value] of lines) runtime.out.line(`${name}=${value}`);
      runtime.log.info(
        { environment, baseUrl: sandbox.baseUrl, wsUrl: sandbox.wsUrl, port: sandbox.port },
        'sandbox serving',
      );
      runtime.out.note(
        `KIS ${environment} sandbox on ${sandbox.baseUrl} (state in memory). Ctrl-C to stop.`,
      );
      // The control endpoints (not KIS): move a price so resting orders fill, read the book.
      const key = `-H 'appkey: ${sandbox.credentials.appKey}'`;
      runtime.out.note(
        `Set a price: curl -s ${key} -H 'content-type: application/json' -d '{"symbol":"005930","price":70000}' ${sandbox.baseUrl}/qts-sandbox/price`,
      );
      runtime.out.note(
        `See the book: curl -s ${key} '${sandbox.baseUrl}/qts-sandbox/book?symbol=005930'`,
      );
      await untilAborted(stop.signal);
      runtime.out.note('Stopping the sandbox…');
    } finally {
      await sandbox.close();
    }
    runtime.log.info({}, 'sandbox stopped');
    return EXIT.ok;
  } finally {
    stop.dispose();
  }
}

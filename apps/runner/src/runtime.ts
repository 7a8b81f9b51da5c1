// One run of one command: configuration, real-mode interlock, logging, error reporting.
import { type Config, loadConfig, secretsOf } from './config.js';
import { type ErrorJson, type ExitCode, toFailure } from './failure.js';
import { assertRealAllowed } from './interlock.js';
import { pasteable } from './invocation.js';
import { createLog, type Log, redactSecrets, silentLog } from './log.js';
import { GlobalOptionsSchema, readOptions } from './options.js';
import { Output } from './output.js';

/** What a command gets. */
export interface Runtime {
  readonly command: string;
  readonly config: Config;
  readonly out: Output;
  readonly log: Log;
  /** Registers a secret learned during the run (e.g. a token) so logs redact it. */
  addSecret(secret: string | null | undefined): void;
  /** All known secrets (for redacting error messages). */
  secrets(): readonly string[];
}

/** Prints a failure as the contract says: `{"error": ...}` with --json, else lines on stderr. */
export function printFailure(out: Output, error: ErrorJson): void {
  if (out.json) out.jsonObject({ error: { ...error, hint: pasteable(error.hint) } });
  else out.error(error);
}

/**
 * Runs a command: loads config (exit 2 on bad config), applies the real-mode interlock, opens
 * the log, runs, and turns any error into its exit code. A command prints its own result; a
 * thrown error is printed here.
 */
export async function runCommand(
  command: string,
  options: Record<string, unknown>,
  body: (runtime: Runtime) => Promise<ExitCode>,
): Promise<ExitCode> {
  const globals = readOptions(GlobalOptionsSchema, options);
  const out = new Output({ json: globals.json === true });
  let config: Config | undefined;
  let log: Log = silentLog;
  const extra: string[] = [];
  const secrets = (): string[] => [...secretsOf(config), ...extra];
  try {
    config = loadConfig(
      {
        mode: globals.mode,
        json: globals.json === true,
        verbose: globals.verbose === true,
        yes: globals.yes === true,
      },
      process.env,
      { requireKis: command !== 'sandbox' },
    );
    log = await createLog({ home: config.home, verbose: config.verbose, secrets });
    log.info(
      {
        command,
        mode: config.mode,
        argv: process.argv.slice(2),
        home: config.home,
        account: config.kis?.account ?? null,
        baseUrl: config.kis?.baseUrl ?? null,
      },
      'command start',
    );
    if (command !== 'sandbox') assertRealAllowed(config);
    const runtime: Runtime = {
      command,
      config,
      out,
      log,
      addSecret(secret) {
        if (typeof secret === 'string' && secret.length >= 4) extra.push(secret);
      },
      secrets,
    };
    const code = await body(runtime);
    log.info({ command, exitCode: code }, 'command done');
    log.flush();
    return code;
  } catch (error) {
    const failure = toFailure(error);
    const known = secrets();
    const mutating = command === 'order' || command === 'cancel' || command === 'modify';
    const internal = failure.json.code === 'INTERNAL';
    // An unexpected error in a command that may have reached the broker must not claim that
    // nothing was sent.
    const unsure = internal && mutating && !failure.beforeSend;
    const safe = {
      ...failure.json,
      outcome: unsure ? ('unknown' as const) : failure.json.outcome,
      message: redactSecrets(failure.json.message, known),
      hint: unsure
        ? 'Do NOT resend yet: run `qts orders` to see whether it reached the broker. Details are in the log under QTS_HOME/logs (--verbose shows them).'
        : redactSecrets(failure.json.hint, known),
    };
    log.error(
      {
        command,
        exitCode: failure.exitCode,
        error: safe,
        cause: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      },
      'command failed',
    );
    log.flush();
    printFailure(out, safe);
    return failure.exitCode;
  }
}

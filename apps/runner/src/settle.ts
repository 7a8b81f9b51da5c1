// How a `qts` process ends once its command has run (the entry point, cli.ts, hands it the
// command's promise; no top-level await, since the bin runs the CLI as a CommonJS bundle).

/**
 * Ends the process with the exit code `done` resolves to. A command that rejects (a bug: every
 * failure the CLI knows of resolves to an exit code) ends with 1 after its stack on stderr,
 * whatever `--unhandled-rejections` says; a command that never settles (the event loop runs
 * dry first) ends with 1, never with 0 and no output. After the command, a 3 s unref'd watchdog
 * ends a run that a dependency kept alive (and says so when `QTS_DEBUG_HANDLES=1`).
 *
 * @param done The command's exit code.
 */
export function exitWith(done: Promise<number>): void {
  let settled = false;
  process.on('exit', () => {
    if (!settled && process.exitCode === undefined) process.exitCode = 1;
  });
  const finish = (code: number) => {
    settled = true;
    process.exitCode = code;
    const watchdog = setTimeout(() => {
      if (process.env.QTS_DEBUG_HANDLES === '1') {
        process.stderr.write('qts: something kept the process alive after the command finished\n');
      }
      process.exit(code);
    }, 3_000);
    watchdog.unref();
  };
  done.then(finish, (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`qts: unexpected error (a bug; please report it): ${text}\n`);
    finish(1);
  });
}

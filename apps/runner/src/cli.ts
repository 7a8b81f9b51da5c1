#!/usr/bin/env node
// The `qts` entry point. One command per run; the process ends on its own when the command is
// done (no handles are left open; settle.ts says how it ends).
//
// `qts --help` is printed from a generated constant without loading commander, so start-up
// stays close to a bare `node` (see bench/). A plain command line is parsed without commander
// (fast-args.ts; QTS_NO_FAST_ARGS=1 turns that off); everything else goes through program.ts.

import { exitWith } from './settle.js';

// `qts ... | head`: a closed pipe is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Runs one command line; resolves its exit code. */
async function run(argv: readonly string[]): Promise<number> {
  if (
    argv.length === 1 &&
    (argv[0] === '--help' || argv[0] === '-h') &&
    process.env.QTS_NO_FAST_HELP !== '1'
  ) {
    const [{ TOP_LEVEL_HELP }, { pasteableHelp }] = await Promise.all([
      import('./help-text.js'),
      import('./invocation.js'),
    ]);
    process.stdout.write(pasteableHelp(TOP_LEVEL_HELP));
    return 0;
  }
  const { parseFast, runFast } = await import('./fast-args.js');
  const fast = process.env.QTS_NO_FAST_ARGS === '1' ? null : parseFast(argv);
  if (fast === null) {
    const { main } = await import('./program.js');
    return main(argv);
  }
  try {
    return await runFast(fast);
  } catch (error) {
    const { reportError } = await import('./program.js');
    return reportError(error, argv);
  }
}

// No top-level await: the same entry is bundled as CommonJS for the `qts` bin (scripts/bundle.mjs).
exitWith(run(process.argv.slice(2)));

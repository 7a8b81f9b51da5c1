#!/usr/bin/env node
// The `qts` entry point. One command per run; the process ends on its own when the command is
// done (no handles are left open). A watchdog only reports (in the log) and ends a run that a
// dependency kept alive after the command finished.
import { main } from './program.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
const watchdog = setTimeout(() => {
  if (process.env.QTS_DEBUG_HANDLES === '1') {
    process.stderr.write('qts: something kept the process alive after the command finished\n');
  }
  process.exit(code);
}, 3_000);
watchdog.unref();

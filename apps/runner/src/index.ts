// @qts/runner: the `qts` CLI. The binary is dist/bin/cli.cjs (dist/cli.js bundled by
// scripts/bundle.mjs); `main` runs it in-process.

export { type ErrorJson, EXIT, type ExitCode } from './failure.js';
export { main } from './program.js';

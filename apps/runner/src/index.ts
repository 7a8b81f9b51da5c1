// @qts/runner: the `qts` CLI. The binary is dist/cli.js; `main` runs it in-process.

export { type ErrorJson, EXIT, type ExitCode } from './failure.js';
export { main } from './program.js';

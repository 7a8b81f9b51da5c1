// @qts/test-utils: helpers the packages' tests share (a devDependency of tests only, never of
// product code; docs/architecture.md section 2).

export { seoulDateOf, withinOneTradingDate } from './dates.js';
export {
  type KisAdapterParts,
  type KisConnection,
  type KisConnectionOptions,
  type KisTarget,
  kisAdapterOn,
  kisConnection,
  type SandboxLike,
  sandboxEnv,
  sandboxTarget,
  targetFromEnv,
} from './kis-sandbox.js';
export { closedKisEnv, closedPort } from './ports.js';
export {
  childEnv,
  clockEnv,
  type ProcessOptions,
  type ProcessResult,
  type RunningProcess,
  runProcess,
  startProcess,
} from './process.js';
export {
  assertLocalOnly,
  onlyJson,
  parseEnvLines,
  QTS_CLI,
  type QtsOptions,
  REPO_ROOT,
  runQts,
  startQts,
} from './qts-cli.js';
export { removeTempDirs, tempDir } from './temp.js';
export { waitUntil } from './wait.js';

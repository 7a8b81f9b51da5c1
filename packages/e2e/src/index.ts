// @qts/e2e: Gate D checks reusable outside the tests (the tests are in test/, run by `pnpm e2e`).
export {
  type ApiReportCheck,
  checkApiReport,
  checkApiReports,
  sha256File,
} from './api-report.js';
export {
  type LoopKind,
  listGateSourceFiles,
  ORDER_CALL_NAMES,
  scanForTradingLoops,
  type TradingLoopFinding,
  type TradingLoopScan,
} from './no-trading-loop.js';
export { AUTH_PHASE2_API_REPORT_SHA256 } from './pins.js';

// The offline KIS-protocol sandbox: KIS REST + WebSocket execution notices over the virtual
// exchange core, on 127.0.0.1 only. See packages/broker-virtual/SANDBOX.md.
export {
  createKisRequestHandler,
  type KisRequestHandler,
  type KisRequestHandlerOptions,
  kisSandboxHandlers,
  type MswHttpLike,
} from './request-handler.js';
export {
  type KisSandbox,
  type KisSandboxEnv,
  type KisSandboxOptions,
  startKisSandbox,
} from './start.js';
export { KIS_SANDBOX_DEFAULTS } from './state.js';
export type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';

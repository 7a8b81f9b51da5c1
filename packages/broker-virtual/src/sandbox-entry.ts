// @qts/broker-virtual/sandbox: the KIS-protocol sandbox alone (`qts sandbox`, tests).

// KIS-protocol sandbox (REST + WebSocket notices on 127.0.0.1; see SANDBOX.md)
export {
  createKisRequestHandler,
  KIS_SANDBOX_DEFAULTS,
  type KisRequestHandler,
  type KisRequestHandlerOptions,
  type KisSandbox,
  type KisSandboxCredentials,
  type KisSandboxEnv,
  type KisSandboxEnvironment,
  type KisSandboxOptions,
  type KisSandboxTimingOptions,
  kisSandboxHandlers,
  type MswHttpLike,
  startKisSandbox,
} from './sandbox/index.js';

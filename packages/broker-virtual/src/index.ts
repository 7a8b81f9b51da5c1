// @qts/broker-virtual: the virtual exchange core, the in-process adapter and the KIS sandbox.

// In-process adapter (the Order Adapter contract over the core)
export {
  createVirtualOrderAdapter,
  type VirtualOrderAdapter,
  type VirtualOrderAdapterOptions,
} from './adapter/index.js';
// Exchange core
export {
  createVirtualExchange,
  DEFAULT_STARTING_CASH,
  DEFAULT_VIRTUAL_ACCOUNT,
  DEFAULT_VIRTUAL_BRANCH,
  type FaultOperation,
  type ModifyOrderInput,
  type NoticeFault,
  type PlaceOrderInput,
  type VirtualBalance,
  type VirtualEvent,
  type VirtualEventListener,
  type VirtualExchange,
  VirtualExchangeError,
  type VirtualExchangeOptions,
  type VirtualFault,
  type VirtualFaults,
  type VirtualOrder,
  type VirtualOrderKind,
  type VirtualOrderStatus,
  type VirtualOrdersQuery,
  type VirtualOrderType,
  type VirtualPosition,
  type VirtualRejectionReason,
  type VirtualResult,
  type VirtualSide,
} from './core/index.js';

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

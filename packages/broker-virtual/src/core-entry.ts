// @qts/broker-virtual/core: the virtual exchange core and the in-process adapter, without the KIS
// sandbox (no HTTP or WebSocket server, no ws). What virtual mode needs; it loads in a fraction
// of the root entry's time (the root entry is this plus the sandbox, `./sandbox` the sandbox alone).

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

export { VirtualExchangeError } from './errors.js';
export { createVirtualExchange } from './exchange.js';
export { SCHEMA_VERSION } from './store.js';
export {
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
} from './types.js';

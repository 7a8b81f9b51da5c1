// @qts/broker-kis: the KIS Order Adapter (orders, inquiry, execution notices). Named exports only.

export {
  KIS_ERROR_CODE_PREFIXES,
  KIS_ERROR_CODES,
  type KisErrorCodeEntry,
  kisRejectionCode,
} from './kis-error-codes.js';
export {
  createKisOrderAdapter,
  type KisBuyingPower,
  type KisOrderAdapter,
  type KisOrderAdapterOptions,
} from './kis-order-adapter.js';
export { ensureKisAccessToken, kisErrorToContract, readKisTokenStatus } from './kis-token.js';
export type { KisWebSocketFactory } from './notice/kis-notice-connection.js';

export {
  createVirtualOrderAdapter,
  isoSeoul,
  toBrokerOrder,
  toOrderEvent,
  type VirtualOrderAdapter,
  type VirtualOrderAdapterOptions,
} from './virtual-order-adapter.js';

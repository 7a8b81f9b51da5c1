export {
  createVirtualOrderAdapter,
  type VirtualOrderAdapter,
  type VirtualOrderAdapterOptions,
} from './virtual-order-adapter.js';

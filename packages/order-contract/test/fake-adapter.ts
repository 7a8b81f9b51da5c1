// A tiny in-memory broker and adapter for testing the conformance kit itself. The `faults`
// switch on deliberate contract breaches, to prove that the kit detects them.
import type { OrderAdapter, OrderEventListener } from '../src/adapter/order-adapter.js';
import {
  BrokerRejectedError,
  OutcomeUnknownError,
  RouteUnavailableError,
} from '../src/errors/qts-error.js';
import {
  assertSupportedOrderRequest,
  assertValidOrderRequest,
} from '../src/krx/validate-order-request.js';
import type { BrokerOrder, OrderAck, OrderRequest } from '../src/models/order.js';
import type { BrokerPlaceScript, ConformanceHarness } from '../src/testing/index.js';

const TRADING_DATE = '20260105';

function divisionFieldsOf(request: OrderRequest): Partial<BrokerOrder> {
  const { priceCondition, executionCondition, session, venue } = request;
  return {
    ...(priceCondition === undefined ? {} : { priceCondition }),
    ...(executionCondition === undefined ? {} : { executionCondition }),
    ...(session === undefined ? {} : { session }),
    ...(venue === undefined ? {} : { venue }),
  };
}
const AT = '2026-01-05T10:00:00+09:00';

export interface FakeFaults {
  /** Sends invalid orders to the broker instead of refusing them locally. */
  readonly skipValidation?: boolean;
  /** Reports every order as a plain limit order on KRX in getOrders. */
  readonly dropDivisionInInquiry?: boolean;
  /** Sends divisions and venues it does not declare instead of refusing them locally. */
  readonly ignoreOrderOptions?: boolean;
  /** Sends the order again after a timeout. */
  readonly resendAfterTimeout?: boolean;
  /** Adds every notice's quantity, duplicates included. */
  readonly countDuplicateNotices?: boolean;
  /** Reports per-fill quantities instead of cumulative ones. */
  readonly perFillQuantities?: boolean;
  /** Loses the broker's code and message. */
  readonly dropBrokerCode?: boolean;
  /** Calls a refused connection an unknown outcome. */
  readonly refusedAsUnknown?: boolean;
  /** Ignores the abort signal. */
  readonly ignoreAbort?: boolean;
  /** Forgets canceled orders in inquiries (shows them open). */
  readonly cancelNotReflected?: boolean;
  /** Modify moves only the given quantity and leaves the rest live at the old price (KIS's ORD_QTY taken literally). */
  readonly modifyKeepsRest?: boolean;
  /** A revision of an order with nothing open fails as a plain BROKER_REJECTED, without the fills. */
  readonly genericNotOpen?: boolean;
  /** After a cancel, the inquiry forgets the fills made before it. */
  readonly cancelForgetsFills?: boolean;
}

interface Notice {
  readonly seq: number;
  readonly brokerOrderId: string;
  readonly quantity: number;
  readonly price: number;
}

interface BookedOrder {
  readonly id: string;
  readonly request: OrderRequest;
  /** The order a modify acted on, or null for a new order. */
  readonly original: string | null;
  readonly quantity: number;
  readonly price: number | null;
  filled: number;
  canceled: number;
  /** Shares moved to a modify order. */
  moved: number;
}

function remainingOf(order: BookedOrder): number {
  return order.quantity - order.filled - order.canceled - order.moved;
}

class ConnectionRefused extends Error {}

class FakeBroker {
  placeRequests = 0;
  script: BrokerPlaceScript | null = null;
  readonly orders = new Map<string, BookedOrder>();
  readonly listeners = new Set<(notice: Notice) => void>();
  lastNotice: Notice | null = null;
  private nextId = 1;
  private seq = 0;

  place(request: OrderRequest): Promise<string> {
    const script = this.script;
    this.script = null;
    if (script?.kind === 'refuse-connection') return Promise.reject(new ConnectionRefused());
    this.placeRequests += 1;
    if (script?.kind === 'reject') {
      return Promise.reject(Object.assign(new Error('rejected'), { script }));
    }
    const id = this.newId();
    this.orders.set(id, {
      id,
      request,
      original: null,
      quantity: request.quantity,
      price: request.limitPrice ?? null,
      filled: 0,
      // nothing trades against the fake, so an IOC or FOK order is canceled on arrival
      canceled: request.executionCondition === undefined ? 0 : request.quantity,
      moved: 0,
    });
    if (script?.kind === 'timeout-after-accept') return new Promise<string>(() => {});
    return Promise.resolve(id);
  }

  newId(): string {
    return String(this.nextId++).padStart(10, '0');
  }

  fill(brokerOrderId: string, quantity: number, price: number): void {
    const order = this.orders.get(brokerOrderId);
    if (order === undefined) throw new Error(`no order ${brokerOrderId}`);
    order.filled += quantity;
    this.seq += 1;
    this.send({ seq: this.seq, brokerOrderId, quantity, price });
  }

  send(notice: Notice): void {
    this.lastNotice = notice;
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(notice);
    });
  }
}

export function createFakeAdapter(broker: FakeBroker, faults: FakeFaults = {}): OrderAdapter {
  const timeoutMs = 30;
  const cumulative = new Map<string, { quantity: number; cost: number }>();
  const seen = new Set<number>();

  async function send(request: OrderRequest): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    try {
      return await Promise.race([broker.place(request), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function notOpen(order: BookedOrder): BrokerRejectedError {
    if (faults.genericNotOpen === true) {
      return new BrokerRejectedError('BROKER_REJECTED', '정정/취소할 수량이 없습니다');
    }
    return new BrokerRejectedError(
      'ORDER_NOT_OPEN',
      `order ${order.id}: filled ${order.filled} before this request`,
      { details: { filledQuantity: order.filled, averagePrice: order.price } },
    );
  }

  const adapter: OrderAdapter = {
    specificationVersion: 'v1',
    name: 'fake',
    capabilities: {
      modify: true,
      openOrderInquiry: true,
      notices: true,
      balance: false,
      marketOrders: false,
      orderOptions: { divisions: ['limit', 'best', 'ioc-limit'], venues: ['KRX', 'NXT'] },
    },
    async placeOrder(request, options = {}): Promise<OrderAck> {
      if (faults.skipValidation !== true && faults.ignoreOrderOptions !== true) {
        assertSupportedOrderRequest(request, adapter.capabilities, 'fake');
      } else if (faults.skipValidation !== true) {
        assertValidOrderRequest(request);
      }
      if (options.signal?.aborted === true && faults.ignoreAbort !== true) {
        throw new RouteUnavailableError('aborted before sending', { code: 'ABORTED' });
      }
      let id: string;
      try {
        id = await send(request);
      } catch (error) {
        if (error instanceof ConnectionRefused) {
          if (faults.refusedAsUnknown === true) throw new OutcomeUnknownError('refused?');
          throw new RouteUnavailableError('connection refused');
        }
        const script = (error as { script?: BrokerPlaceScript }).script;
        if (script?.kind === 'reject') {
          throw new BrokerRejectedError(
            'INSUFFICIENT_FUNDS',
            'rejected',
            faults.dropBrokerCode === true
              ? {}
              : { brokerCode: script.brokerCode, brokerMessage: script.brokerMessage },
          );
        }
        if (faults.resendAfterTimeout === true) {
          id = await send(request);
        } else {
          throw new OutcomeUnknownError('no answer', { cause: error });
        }
      }
      return {
        brokerOrderId: id,
        brokerBranch: '00950',
        originalBrokerOrderId: null,
        acceptedAt: AT,
        tradingDate: TRADING_DATE,
        brokerCode: null,
        brokerMessage: null,
      };
    },
    async cancelOrder(ref): Promise<OrderAck> {
      const order = broker.orders.get(ref.brokerOrderId);
      if (order === undefined) throw new BrokerRejectedError('ORDER_NOT_FOUND', 'no such order');
      if (remainingOf(order) === 0) throw notOpen(order);
      order.canceled += remainingOf(order);
      return {
        brokerOrderId: `${ref.brokerOrderId}-c`,
        brokerBranch: ref.brokerBranch,
        originalBrokerOrderId: ref.brokerOrderId,
        acceptedAt: AT,
        tradingDate: TRADING_DATE,
        brokerCode: null,
        brokerMessage: null,
      };
    },
    async modifyOrder(ref, change): Promise<OrderAck> {
      const order = broker.orders.get(ref.brokerOrderId);
      if (order === undefined) throw new BrokerRejectedError('ORDER_NOT_FOUND', 'no such order');
      const remaining = remainingOf(order);
      if (remaining === 0) throw notOpen(order);
      const quantity = change.quantity ?? remaining;
      if (quantity > remaining) throw new BrokerRejectedError('BROKER_REJECTED', 'too many');
      const id = broker.newId();
      broker.orders.set(id, {
        id,
        request: order.request,
        original: order.id,
        quantity,
        price: change.limitPrice ?? order.price,
        filled: 0,
        canceled: 0,
        moved: 0,
      });
      order.moved += quantity;
      if (faults.modifyKeepsRest !== true) order.canceled += remaining - quantity;
      return {
        brokerOrderId: id,
        brokerBranch: ref.brokerBranch,
        originalBrokerOrderId: ref.brokerOrderId,
        acceptedAt: AT,
        tradingDate: TRADING_DATE,
        brokerCode: null,
        brokerMessage: null,
      };
    },
    async getOrders(query): Promise<BrokerOrder[]> {
      if (query.tradingDate !== TRADING_DATE) return [];
      return [...broker.orders.values()].map((order) => {
        const canceled = faults.cancelNotReflected === true ? 0 : order.canceled;
        const remaining = order.quantity - order.filled - canceled - order.moved;
        const filled = faults.cancelForgetsFills === true && canceled > 0 ? 0 : order.filled;
        return {
          brokerOrderId: order.id,
          brokerBranch: '00950',
          originalBrokerOrderId: order.original,
          kind: order.original === null ? 'order' : 'modify',
          symbol: order.request.symbol,
          side: order.request.side,
          type: order.request.type,
          quantity: order.quantity,
          limitPrice: order.price,
          filledQuantity: filled,
          remainingQuantity: remaining,
          canceledQuantity: canceled,
          rejectedQuantity: 0,
          averagePrice: filled > 0 ? order.price : null,
          status:
            remaining > 0
              ? filled > 0
                ? 'partially_filled'
                : 'open'
              : canceled > 0 || order.moved > 0
                ? 'canceled'
                : 'filled',
          orderedAt: AT,
          tradingDate: TRADING_DATE,
          ...(faults.dropDivisionInInquiry === true ? {} : divisionFieldsOf(order.request)),
        };
      });
    },
    async subscribe(listener: OrderEventListener) {
      const onNotice = (notice: Notice): void => {
        const order = broker.orders.get(notice.brokerOrderId);
        if (order === undefined) return;
        const duplicate = seen.has(notice.seq);
        seen.add(notice.seq);
        const total = cumulative.get(notice.brokerOrderId) ?? { quantity: 0, cost: 0 };
        if (!duplicate || faults.countDuplicateNotices === true) {
          total.quantity += notice.quantity;
          total.cost += notice.quantity * notice.price;
          cumulative.set(notice.brokerOrderId, total);
        }
        listener({
          type: 'order-filled',
          brokerOrderId: notice.brokerOrderId,
          symbol: order.request.symbol,
          side: order.request.side,
          filledQuantity: faults.perFillQuantities === true ? notice.quantity : total.quantity,
          averagePrice: total.cost / total.quantity,
          lastQuantity: notice.quantity,
          lastPrice: notice.price,
          at: AT,
          source: 'notice',
        });
      };
      broker.listeners.add(onNotice);
      return async () => {
        broker.listeners.delete(onNotice);
      };
    },
  };
  return adapter;
}

/** A harness over the fake broker and adapter, with optional faults. */
export async function createFakeHarness(faults: FakeFaults = {}): Promise<ConformanceHarness> {
  const broker = new FakeBroker();
  return {
    adapter: createFakeAdapter(broker, faults),
    symbol: '005930',
    limitPrice: 70_000,
    tradingDate: TRADING_DATE,
    placeRequests: async () => broker.placeRequests,
    scriptNextPlace: async (script) => {
      broker.script = script;
    },
    fill: async (brokerOrderId, quantity, price) => broker.fill(brokerOrderId, quantity, price),
    replayLastNotice: async () => {
      if (broker.lastNotice !== null) broker.send(broker.lastNotice);
    },
    close: async () => {
      broker.listeners.clear();
    },
  };
}

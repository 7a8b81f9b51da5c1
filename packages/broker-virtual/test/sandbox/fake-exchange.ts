// A tiny in-memory ExchangeAccess: lets the protocol tests run without the exchange core.
import type {
  ExchangeAccess,
  ExchangeEvent,
  ExchangeFault,
  ExchangeNoticeFault,
  ExchangeOrder,
  ExchangeResult,
} from '../../src/sandbox/exchange-access.js';
import { kstDate } from '../../src/sandbox/kst.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface FakeExchange extends ExchangeAccess {
  readonly faults: Array<{ operation: string; fault: ExchangeFault }>;
  readonly noticeFaults: ExchangeNoticeFault[];
  setReferencePrice(symbol: string, price: number): void;
  emit(event: ExchangeEvent): void;
  all(): readonly ExchangeOrder[];
}

export function createFakeExchange(clock: () => number = Date.now): FakeExchange {
  const orders: Array<Mutable<ExchangeOrder>> = [];
  const listeners = new Set<(event: ExchangeEvent) => void>();
  const prices = new Map<string, number>();
  const faults: Array<{ operation: string; fault: ExchangeFault }> = [];
  const noticeFaults: ExchangeNoticeFault[] = [];
  let next = 1;
  let cash = 100_000_000;

  const emit = (event: ExchangeEvent) => {
    for (const listener of listeners) listener(event);
  };
  const newOrder = (
    account: string,
    base: Partial<ExchangeOrder> &
      Pick<ExchangeOrder, 'symbol' | 'side' | 'type' | 'quantity' | 'limitPrice'>,
  ): Mutable<ExchangeOrder> => {
    const at = clock();
    const order: Mutable<ExchangeOrder> = {
      account,
      orderNo: String(next++).padStart(10, '0'),
      branch: '00950',
      originalOrderNo: null,
      kind: 'order',
      filledQuantity: 0,
      filledAmount: 0,
      remainingQuantity: base.quantity,
      canceledQuantity: 0,
      rejectedQuantity: 0,
      orderedAt: at,
      tradingDate: kstDate(at),
      division: base.type,
      venue: 'KRX',
      ...base,
    };
    orders.push(order);
    return order;
  };

  return {
    faults,
    noticeFaults,
    setReferencePrice: (symbol, price) => prices.set(symbol, price),
    emit,
    all: () => orders,
    place(account, request): ExchangeResult {
      if (request.type === 'market' && !prices.has(request.symbol)) {
        return { ok: false, code: 'QTSV0100', message: 'no reference price' };
      }
      const order = newOrder(account, request);
      emit({
        kind: 'receipt',
        account,
        order: { ...order },
        fillQuantity: null,
        fillPrice: null,
        at: clock(),
      });
      const reference = prices.get(request.symbol) ?? request.limitPrice ?? 0;
      if (!prices.has(request.symbol)) prices.set(request.symbol, reference);
      const crosses =
        request.type === 'market' ||
        (request.side === 'buy'
          ? (request.limitPrice ?? 0) >= reference
          : (request.limitPrice ?? 0) <= reference);
      if (crosses) {
        order.filledQuantity = order.quantity;
        order.filledAmount = order.quantity * reference;
        order.remainingQuantity = 0;
        cash += (request.side === 'buy' ? -1 : 1) * order.filledAmount;
        emit({
          kind: 'fill',
          account,
          order: { ...order },
          fillQuantity: order.quantity,
          fillPrice: reference,
          at: clock(),
        });
      }
      return { ok: true, order: { ...order } };
    },
    cancel(account, orderNo, quantity): ExchangeResult {
      const target = orders.find((o) => o.orderNo === orderNo);
      if (target === undefined || target.remainingQuantity === 0) {
        return { ok: false, code: 'QTSV0409', message: '취소가능수량이 없습니다.' };
      }
      const qty =
        quantity === 'all'
          ? target.remainingQuantity
          : Math.min(quantity, target.remainingQuantity);
      target.remainingQuantity -= qty;
      target.canceledQuantity += qty;
      const cancel = newOrder(account, {
        symbol: target.symbol,
        side: target.side,
        type: target.type,
        quantity: qty,
        limitPrice: target.limitPrice,
        kind: 'cancel',
        originalOrderNo: target.orderNo,
        remainingQuantity: 0,
        division: target.division,
        venue: target.venue,
      });
      emit({
        kind: 'cancel',
        account,
        order: { ...cancel },
        fillQuantity: null,
        fillPrice: null,
        at: clock(),
      });
      return { ok: true, order: { ...cancel } };
    },
    modify(account, orderNo, change): ExchangeResult {
      const target = orders.find((o) => o.orderNo === orderNo);
      if (target === undefined || target.remainingQuantity === 0) {
        return { ok: false, code: 'QTSV0409', message: '정정가능수량이 없습니다.' };
      }
      const qty = change.quantity === 'all' ? target.remainingQuantity : change.quantity;
      target.remainingQuantity = 0;
      const modified = newOrder(account, {
        symbol: target.symbol,
        side: target.side,
        type: change.type,
        quantity: qty,
        limitPrice: change.limitPrice,
        division: change.division ?? change.type,
        venue: target.venue,
        kind: 'modify',
        originalOrderNo: target.orderNo,
      });
      emit({
        kind: 'modify',
        account,
        order: { ...modified },
        fillQuantity: null,
        fillPrice: null,
        at: clock(),
      });
      return { ok: true, order: { ...modified } };
    },
    orders: (account, from, to) =>
      orders
        .filter((o) => o.account === account && o.tradingDate >= from && o.tradingDate <= to)
        .map((o) => ({ ...o })),
    balance: () => ({ cash, orderableCash: cash, positions: [] }),
    referencePrice: (symbol) => prices.get(symbol) ?? null,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    takeFault(operation) {
      const index = faults.findIndex((f) => f.operation === operation);
      if (index < 0) return null;
      const [entry] = faults.splice(index, 1);
      return entry?.fault ?? null;
    },
    hasConnectFault: () => faults.some((f) => f.operation === 'connect'),
    takeNoticeFault: () => noticeFaults.shift() ?? null,
    ensureAccount() {},
  };
}

// Matching: the price an order of a division gets, resting limit orders filling when the
// reference price crosses them, and IOC / FOK orders filling against the book when they arrive.

import {
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionParts,
  seoulDate,
} from '@qts/order-contract';
import { type EventDraft, eventDraft } from './events.js';
import type { ExchangeStore } from './exchange-store.js';
import type { Ledger } from './ledger.js';
import { invalidRequest, noReferencePrice } from './rejections.js';
import type { VirtualOrder, VirtualResult } from './types.js';

/** Divisions whose unfilled part the exchange cancels at once (IOC / FOK). */
export const isImmediate = (division: OrderDivision): boolean =>
  !ORDER_DIVISION_RULES[division].rests;
const isFillOrKill = (division: OrderDivision): boolean =>
  orderDivisionParts(division).executionCondition === 'fok';

/** The after-hours single-price band: within 10 % of the reference price (KRX). */
const SINGLE_PRICE_BAND = 0.1;

export type Matching = ReturnType<typeof createMatching>;

export function createMatching(store: ExchangeStore, ledger: Ledger, clock: () => number) {
  const priceOf = (symbol: string): number | null => store.price(symbol);

  /** Books a fill of the order: its cumulative values, the fills table, cash and position. */
  function applyFill(
    order: VirtualOrder,
    quantity: number,
    price: number,
    events: EventDraft[],
  ): VirtualOrder {
    const at = clock();
    const amount = quantity * price;
    store.fillOrder(order.orderNo, quantity, amount);
    store.insertFill({
      orderNo: order.orderNo,
      account: order.account,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      at,
      tradingDate: seoulDate(new Date(at)),
    });
    ledger.settleFill(order, quantity, amount);
    const after = store.mustOrder(order.orderNo);
    events.push(eventDraft('fill', after, at, { fillQuantity: quantity, fillPrice: price }));
    return after;
  }

  /** Fills every resting limit order on the symbol that crosses the reference price. */
  function matchSymbol(symbol: string, events: EventDraft[]): VirtualOrder[] {
    const price = priceOf(symbol);
    if (price === null) return [];
    const filled: VirtualOrder[] = [];
    for (const order of store.restingLimitOrders(symbol)) {
      const limit = order.limitPrice;
      if (limit === null) continue;
      const crosses = order.side === 'buy' ? limit >= price : limit <= price;
      if (crosses) filled.push(applyFill(order, order.remainingQuantity, price, events));
    }
    return filled;
  }

  /** Resting limit orders of a symbol on one side (any account), best price first, then oldest. */
  function bookSide(symbol: string, side: VirtualOrder['side']): VirtualOrder[] {
    const orders = store
      .restingLimitOrders(symbol)
      .filter((order) => order.side === side && order.limitPrice !== null);
    // Array.prototype.sort is stable: equal prices keep their time order (seq).
    return orders.sort((a, b) =>
      side === 'buy'
        ? (b.limitPrice ?? 0) - (a.limitPrice ?? 0)
        : (a.limitPrice ?? 0) - (b.limitPrice ?? 0),
    );
  }

  /**
   * The price of an order of a division: the request's limit price, or the price the exchange
   * sets (best: the best opposite resting order, else the reference price; priority: the best
   * resting order on its own side, else the reference price; the pre/post-market close sessions:
   * the reference price, which stands for the previous / today's close). Null for market orders.
   */
  function divisionPrice(
    division: OrderDivision,
    side: VirtualOrder['side'],
    symbol: string,
    limitPrice: number | null,
  ): { readonly price: number | null } | Extract<VirtualResult, { ok: false }> {
    const parts = orderDivisionParts(division);
    if (parts.type === 'market') return { price: null };
    const reference = priceOf(symbol);
    if (parts.priceCondition === 'best' || parts.priceCondition === 'priority') {
      const bookSideOf = parts.priceCondition === 'best' ? (side === 'buy' ? 'sell' : 'buy') : side;
      const price = bookSide(symbol, bookSideOf)[0]?.limitPrice ?? reference;
      return price === null ? noReferencePrice(symbol) : { price };
    }
    if (parts.session === 'pre' || parts.session === 'post') {
      return reference === null ? noReferencePrice(symbol) : { price: reference };
    }
    if (parts.session === 'single') {
      if (reference === null) return noReferencePrice(symbol);
      const low = reference * (1 - SINGLE_PRICE_BAND);
      const high = reference * (1 + SINGLE_PRICE_BAND);
      if (limitPrice === null || limitPrice < low || limitPrice > high) {
        return invalidRequest(
          `An after-hours single-price order (시간외 단일가) must be priced within 10 % of the reference price ${reference} KRW (${Math.ceil(low)}-${Math.floor(high)} KRW, on the tick); got ${String(limitPrice)}.`,
        );
      }
    }
    return { price: limitPrice };
  }

  /**
   * What an IOC / FOK order fills when it arrives: against the resting opposite orders it crosses
   * (best price first, each at its own price) when the opposite side of the book has any;
   * otherwise, like every order here, all of it at the reference price if it crosses that. FOK
   * fills nothing unless all of it fills.
   */
  function immediateFills(
    division: OrderDivision,
    side: VirtualOrder['side'],
    symbol: string,
    quantity: number,
    price: number | null,
  ): { counterpart: VirtualOrder | null; quantity: number; price: number }[] {
    const opposite = bookSide(symbol, side === 'buy' ? 'sell' : 'buy');
    const fills: { counterpart: VirtualOrder | null; quantity: number; price: number }[] = [];
    let left = quantity;
    if (opposite.length > 0) {
      for (const resting of opposite) {
        if (left === 0) break;
        const at = resting.limitPrice ?? 0;
        if (price !== null && (side === 'buy' ? at > price : at < price)) break;
        const take = Math.min(left, resting.remainingQuantity);
        fills.push({ counterpart: resting, quantity: take, price: at });
        left -= take;
      }
    } else {
      const reference = priceOf(symbol);
      const crosses =
        reference !== null &&
        (price === null || (side === 'buy' ? price >= reference : price <= reference));
      if (crosses) {
        fills.push({ counterpart: null, quantity, price: reference });
        left = 0;
      }
    }
    if (isFillOrKill(division) && left > 0) return [];
    return fills;
  }

  return { priceOf, applyFill, matchSymbol, divisionPrice, immediateFills };
}

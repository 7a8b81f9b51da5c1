// ExchangePort over the core's VirtualExchange.
import type { VirtualExchange } from '../core/types.js';
import type { ExchangePort, MovableClock } from './exchange-port.js';

/**
 * @param exchange - The exchange.
 * @param clock - The movable clock the exchange was made with, when the sandbox made it.
 */
export function createExchangePort(exchange: VirtualExchange, clock?: MovableClock): ExchangePort {
  return {
    ...(clock === undefined ? {} : { setClock: (at: number | null) => clock.set(at) }),
    place: (account, request) => exchange.place(account, request),
    cancel: (account, orderNo, quantity) => exchange.cancel(account, orderNo, quantity),
    modify: (account, orderNo, change) =>
      // KIS semantics: the part of the remainder that is not modified stays open.
      exchange.modify(account, orderNo, { ...change, rest: 'keep' }),
    orders: (account, from, to) => exchange.orders(account, { from, to }),
    balance: (account) => exchange.balance(account),
    referencePrice: (symbol) => exchange.referencePrice(symbol),
    setReferencePrice: (symbol, price) => {
      exchange.setReferencePrice(symbol, price);
    },
    onEvent: (listener) =>
      exchange.onEvent((event) =>
        listener({
          kind: event.kind,
          account: event.account,
          order: event.order,
          fillQuantity: event.fillQuantity,
          fillPrice: event.fillPrice,
          at: event.at,
        }),
      ),
    takeFault: (operation) => exchange.faults.take(operation),
    hasConnectFault: () => exchange.faults.pending().some((p) => p.operation === 'connect'),
    takeNoticeFault: () => exchange.faults.takeNotice(),
    ensureAccount: (account) => exchange.openAccount(account),
  };
}

// The cash and position ledger: accounts with their cash, what open buys reserve and open sells
// hold, positions with their average price, and the settlement of each fill.

import { VirtualExchangeError } from './errors.js';
import type { ExchangeStore } from './exchange-store.js';
import type { VirtualOrder, VirtualPosition } from './types.js';

export function checkAccount(account: string): void {
  if (typeof account !== 'string' || account.length === 0 || account.length > 64) {
    throw new VirtualExchangeError(
      'invalid-account',
      `An account id is a non-empty string of at most 64 characters (got ${JSON.stringify(account)}).`,
    );
  }
}

export type Ledger = ReturnType<typeof createLedger>;

export function createLedger(
  store: ExchangeStore,
  options: { readonly startingCash: number; readonly clock: () => number },
) {
  function sellable(account: string, symbol: string): number {
    const held = store.position(account, symbol)?.quantity ?? 0;
    return held - store.heldForSale(account, symbol);
  }

  return {
    /** Opens the account with the starting cash unless it exists. */
    ensureAccount(account: string): void {
      checkAccount(account);
      store.openAccount(account, options.startingCash, options.clock());
    },
    cash: (account: string): number => store.cash(account),
    /** Cash held by the account's open limit buys. */
    reserved: (account: string): number => store.reservedCash(account),
    /** Holdings not held by open sells. */
    sellable,
    /** Moves the cash of a fill and updates the position (average price on buys). */
    settleFill(order: VirtualOrder, quantity: number, amount: number): void {
      const held = store.position(order.account, order.symbol) ?? { quantity: 0, averagePrice: 0 };
      if (order.side === 'buy') {
        store.addCash(order.account, -amount);
        const quantityAfter = held.quantity + quantity;
        const average = (held.quantity * held.averagePrice + amount) / quantityAfter;
        store.setPosition(order.account, order.symbol, quantityAfter, average);
      } else {
        store.addCash(order.account, amount);
        const quantityAfter = held.quantity - quantity;
        if (quantityAfter <= 0) store.deletePosition(order.account, order.symbol);
        else store.setPosition(order.account, order.symbol, quantityAfter, held.averagePrice);
      }
    },
    /** The account's positions with today's traded quantities and the reference price. */
    positions(account: string, today: string): VirtualPosition[] {
      return store.positions(account).map((p) => {
        const traded = store.traded(account, p.symbol, today);
        return {
          symbol: p.symbol,
          quantity: p.quantity,
          sellableQuantity: sellable(account, p.symbol),
          averagePrice: p.averagePrice,
          lastPrice: store.price(p.symbol),
          boughtToday: traded.bought,
          soldToday: traded.sold,
        };
      });
    },
  };
}

// The control endpoints (not KIS): the sandbox's own endpoints for a person or a script.
import * as v from 'valibot';
import { kstDateTime } from '../kst.js';
import { kisJson, type WireResponse } from '../wire.js';
import { type RestScope, type SandboxRequest, SYMBOL } from './common.js';

/** The control endpoints (not KIS): set a price, read the book. */
export const SANDBOX_CONTROL_PATHS = {
  price: '/qts-sandbox/price',
  book: '/qts-sandbox/book',
  clock: '/qts-sandbox/clock',
} as const;

/** `{"at": "<ISO 8601>" | <epoch ms>}` moves the clock there; `{"at": null}` puts it back. */
const ClockBody = v.object({
  at: v.nullable(v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.isoTimestamp())])),
});

const PriceBody = v.object({
  symbol: v.pipe(v.string(), v.regex(/^(?:[0-9A-Z]{6}|Q[0-9]{6})$/)),
  price: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

const CLOCK_USAGE =
  'the body must be {"at":"2026-11-25T16:30:00+09:00"} (ISO 8601 or epoch ms), or {"at":null} for the real clock';

export function controlEndpoint(ctx: RestScope) {
  const { accountKey } = ctx;

  function controlError(status: number, message: string): WireResponse {
    return kisJson(status, { error: message });
  }

  function book(symbol: string): Record<string, unknown> {
    const open = ctx.exchange
      .orders(accountKey, '00000000', '99999999')
      .filter((o) => o.symbol === symbol && o.kind !== 'cancel' && o.remainingQuantity > 0);
    const level = (side: 'buy' | 'sell') => {
      const byPrice = new Map<string, { quantity: number; orders: number }>();
      for (const o of open.filter((order) => order.side === side)) {
        const key = o.limitPrice === null ? 'market' : String(o.limitPrice);
        const entry = byPrice.get(key) ?? { quantity: 0, orders: 0 };
        entry.quantity += o.remainingQuantity;
        entry.orders += 1;
        byPrice.set(key, entry);
      }
      return [...byPrice.entries()]
        .map(([price, entry]) => ({ price: price === 'market' ? null : Number(price), ...entry }))
        .sort((a, b) => (side === 'buy' ? -1 : 1) * ((a.price ?? 0) - (b.price ?? 0)));
    };
    return {
      symbol,
      referencePrice: ctx.exchange.referencePrice(symbol),
      bids: level('buy'),
      asks: level('sell'),
      orders: open.map((o) => ({
        orderNo: o.orderNo,
        side: o.side,
        limitPrice: o.limitPrice,
        remainingQuantity: o.remainingQuantity,
        filledQuantity: o.filledQuantity,
      })),
    };
  }

  /** `POST /qts-sandbox/price {"symbol","price"}` and `GET /qts-sandbox/book?symbol=`; header `appkey`. */
  function control(request: SandboxRequest): WireResponse {
    if (request.header('appkey') !== ctx.credentials.appKey) {
      return controlError(403, 'send the sandbox app key in the appkey header');
    }
    if (request.path === SANDBOX_CONTROL_PATHS.price && request.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.bodyText);
      } catch {
        return controlError(400, 'the body must be JSON: {"symbol":"005930","price":70000}');
      }
      const body = v.safeParse(PriceBody, parsed);
      if (!body.success) {
        return controlError(
          400,
          'the body must be {"symbol":"005930","price":70000} (price a whole number of KRW)',
        );
      }
      ctx.exchange.setReferencePrice(body.output.symbol, body.output.price);
      return kisJson(200, book(body.output.symbol));
    }
    if (request.path === SANDBOX_CONTROL_PATHS.book && request.method === 'GET') {
      const symbol = request.query.get('symbol') ?? '';
      if (!SYMBOL.test(symbol)) return controlError(400, 'give ?symbol=005930');
      return kisJson(200, book(symbol));
    }
    if (request.path === SANDBOX_CONTROL_PATHS.clock && request.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.bodyText);
      } catch {
        return controlError(400, CLOCK_USAGE);
      }
      const body = v.safeParse(ClockBody, parsed);
      const at = body.success ? body.output.at : undefined;
      const epoch = typeof at === 'string' ? Date.parse(at) : at;
      if (epoch === undefined || (epoch !== null && !Number.isFinite(epoch))) {
        return controlError(400, CLOCK_USAGE);
      }
      if (ctx.exchange.setClock === undefined) {
        return controlError(
          409,
          'this sandbox serves an exchange it was given: move that exchange clock instead',
        );
      }
      ctx.exchange.setClock(epoch);
      const now = ctx.clock();
      return kisJson(200, { now: new Date(now).toISOString(), kst: kstDateTime(now) });
    }
    return controlError(
      404,
      'control endpoints: POST /qts-sandbox/price, GET /qts-sandbox/book, POST /qts-sandbox/clock',
    );
  }

  return control;
}

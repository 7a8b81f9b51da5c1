import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOrderError } from '../errors/qts-error.js';
import {
  assertValidOrderRequest,
  formatNumber,
  validateOrderRequest,
} from './validate-order-request.js';

const valid = {
  clientOrderId: 'intent-001',
  symbol: '005930',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  limitPrice: 70_000,
} as const;

const messagesOf = (request: unknown) =>
  validateOrderRequest(request).map(({ field, code, message }) => ({ field, code, message }));

describe('validateOrderRequest', () => {
  it('accepts valid limit, market, preferred-share, ETF and ETN orders', () => {
    expect(validateOrderRequest(valid)).toEqual([]);
    expect(validateOrderRequest({ ...valid, type: 'market', limitPrice: undefined })).toEqual([]);
    expect(validateOrderRequest({ ...valid, type: 'market', limitPrice: null })).toEqual([]);
    expect(validateOrderRequest({ ...valid, symbol: '00088K', side: 'sell' })).toEqual([]);
    expect(validateOrderRequest({ ...valid, productType: 'etf', limitPrice: 10_005 })).toEqual([]);
    expect(validateOrderRequest({ ...valid, symbol: 'Q500001', limitPrice: 10_005 })).toEqual([]);
  });

  describe('clientOrderId', () => {
    it('missing', () => {
      const { clientOrderId: _, ...request } = valid;
      expect(messagesOf(request)).toEqual([
        {
          field: 'clientOrderId',
          code: 'client-order-id-missing',
          message:
            'Client order id is missing: give each order its own id of 1 to 64 characters, e.g. "intent-001".',
        },
      ]);
    });

    it.each([
      [42, '42'],
      ['', '0 characters'],
      ['x'.repeat(65), '65 characters'],
    ])('invalid %s', (clientOrderId, got) => {
      expect(messagesOf({ ...valid, clientOrderId })).toEqual([
        {
          field: 'clientOrderId',
          code: 'client-order-id-invalid',
          message: `Client order id must be a string of 1 to 64 characters (got ${got}): give each order its own short id, e.g. "intent-001".`,
        },
      ]);
    });
  });

  describe('symbol', () => {
    it('missing', () => {
      expect(messagesOf({ ...valid, symbol: '' })).toEqual([
        {
          field: 'symbol',
          code: 'symbol-missing',
          message:
            'Symbol is missing: give the 6-character KRX code, e.g. "005930", or "Q" and 6 digits for an ETN.',
        },
      ]);
    });

    it('malformed', () => {
      expect(messagesOf({ ...valid, symbol: 'ABC12' })).toEqual([
        {
          field: 'symbol',
          code: 'symbol-invalid',
          message:
            'Symbol "ABC12" is not a KRX code: use 6 digits or capital letters (e.g. "005930", preferred share "00088K"), or "Q" and 6 digits for an ETN (e.g. "Q500001").',
        },
      ]);
    });

    it('lower case or padded: suggests the fix', () => {
      expect(messagesOf({ ...valid, symbol: ' 00088k' })[0]?.message).toBe(
        'Symbol " 00088k" is not a KRX code: use 6 digits or capital letters (e.g. "005930", preferred share "00088K"), or "Q" and 6 digits for an ETN (e.g. "Q500001"). Did you mean "00088K"?',
      );
    });

    it('not a string', () => {
      expect(messagesOf({ ...valid, symbol: 5930 })[0]?.message).toMatch(
        /^Symbol 5,930 is not a KRX code: /,
      );
    });
  });

  describe('side', () => {
    it('missing', () => {
      expect(messagesOf({ ...valid, side: undefined })).toEqual([
        {
          field: 'side',
          code: 'side-missing',
          message: 'Side is missing: set side to "buy" or "sell".',
        },
      ]);
    });

    it('invalid', () => {
      expect(messagesOf({ ...valid, side: 'long' })).toEqual([
        {
          field: 'side',
          code: 'side-invalid',
          message:
            'Side must be "buy" or "sell" (got "long"): use "buy" to buy and "sell" to sell.',
        },
      ]);
    });
  });

  describe('quantity', () => {
    it('missing', () => {
      expect(messagesOf({ ...valid, quantity: null })).toEqual([
        {
          field: 'quantity',
          code: 'quantity-missing',
          message: 'Quantity is missing: give a whole number of shares of at least 1.',
        },
      ]);
    });

    it.each([
      [1.5, '1.5'],
      ['10', '"10"'],
      [Number.NaN, 'NaN'],
    ])('not a whole number: %s', (quantity, got) => {
      expect(messagesOf({ ...valid, quantity })).toEqual([
        {
          field: 'quantity',
          code: 'quantity-not-integer',
          message: `Quantity must be a whole number of shares of at least 1 (got ${got}).`,
        },
      ]);
    });

    it.each([
      [0, '0'],
      [-3, '-3'],
    ])('below 1: %s', (quantity, got) => {
      expect(messagesOf({ ...valid, quantity })).toEqual([
        {
          field: 'quantity',
          code: 'quantity-too-small',
          message: `Quantity must be a whole number of shares of at least 1 (got ${got}).`,
        },
      ]);
    });

    it('above the maximum (default and configured)', () => {
      expect(messagesOf({ ...valid, quantity: 2_000_000 })).toEqual([
        {
          field: 'quantity',
          code: 'quantity-too-large',
          message:
            'Quantity 2,000,000 is more than the 1,000,000 shares one order may have: split it into smaller orders, or raise maxQuantity if it is meant.',
        },
      ]);
      expect(validateOrderRequest({ ...valid, quantity: 101 }, { maxQuantity: 100 })[0]?.code).toBe(
        'quantity-too-large',
      );
      expect(validateOrderRequest({ ...valid, quantity: 100 }, { maxQuantity: 100 })).toEqual([]);
    });
  });

  describe('type', () => {
    it('missing', () => {
      expect(messagesOf({ ...valid, type: undefined })).toEqual([
        {
          field: 'type',
          code: 'type-missing',
          message: 'Order type is missing: use "limit" with a limitPrice, or "market" without one.',
        },
      ]);
    });

    it('invalid', () => {
      expect(messagesOf({ ...valid, type: 'stop' })).toEqual([
        {
          field: 'type',
          code: 'type-invalid',
          message:
            'Order type must be "limit" or "market" (got "stop"): use "limit" with a limitPrice, or "market" without one.',
        },
      ]);
    });
  });

  describe('limitPrice', () => {
    it('required for limit orders', () => {
      expect(messagesOf({ ...valid, limitPrice: undefined })).toEqual([
        {
          field: 'limitPrice',
          code: 'price-missing',
          message:
            'A limit order needs a limitPrice in KRW on the KRX tick (e.g. 70000): add one, or use type "market".',
        },
      ]);
    });

    it('forbidden for market orders', () => {
      expect(messagesOf({ ...valid, type: 'market' })).toEqual([
        {
          field: 'limitPrice',
          code: 'price-forbidden',
          message:
            'A market order must not carry a limit price (got 70,000): remove limitPrice, or use type "limit".',
        },
      ]);
    });

    it.each([
      ['70000', '"70000"'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
    ])('not a number: %s', (limitPrice, got) => {
      expect(messagesOf({ ...valid, limitPrice })).toEqual([
        {
          field: 'limitPrice',
          code: 'price-not-number',
          message: `Limit price must be a number of KRW (got ${got}): pass it as a plain number such as 70000.`,
        },
      ]);
    });

    it.each([
      [0, '0'],
      [-100, '-100'],
    ])('not positive: %s', (limitPrice, got) => {
      expect(messagesOf({ ...valid, limitPrice })).toEqual([
        {
          field: 'limitPrice',
          code: 'price-not-positive',
          message: `Limit price must be more than 0 KRW (got ${got}): use the price you want to trade at, on the KRX tick.`,
        },
      ]);
    });

    it.each([
      [100.5, 'got 100.5): use 100 or 101.'],
      [10_005.5, 'got 10,005.5): use 10,000 or 10,010.'],
    ])('not whole KRW: %s', (limitPrice, tail) => {
      expect(messagesOf({ ...valid, limitPrice })).toEqual([
        {
          field: 'limitPrice',
          code: 'price-not-integer',
          message: `Limit price must be a whole number of KRW (${tail}`,
        },
      ]);
    });

    it.each([
      [10_005, undefined, '10 KRW for prices 5,000-19,999', '10,000 or 10,010'],
      [2_001, undefined, '5 KRW for prices 2,000-4,999', '2,000 or 2,005'],
      [70_050, undefined, '100 KRW for prices 50,000-199,999', '70,000 or 70,100'],
      [499_999, undefined, '500 KRW for prices 200,000-499,999', '499,500 or 500,000'],
      [500_500, undefined, '1,000 KRW for prices of 500,000 and more', '500,000 or 501,000'],
      [10_002, 'etf', '5 KRW for ETFs and ETNs', '10,000 or 10,005'],
    ] as const)('off the tick: %d (%s)', (limitPrice, productType, rule, fix) => {
      const request =
        productType === undefined
          ? { ...valid, limitPrice }
          : { ...valid, limitPrice, productType };
      expect(messagesOf(request)).toEqual([
        {
          field: 'limitPrice',
          code: 'price-off-tick',
          message: `Limit price ${formatNumber(limitPrice)} KRW is not on the KRX tick (${rule}): use ${fix}.`,
        },
      ]);
    });

    it('the message of the issue example', () => {
      expect(messagesOf({ ...valid, limitPrice: 10_005 })[0]?.message).toBe(
        'Limit price 10,005 KRW is not on the KRX tick (10 KRW for prices 5,000-19,999): use 10,000 or 10,010.',
      );
    });

    it('an ETN symbol uses the 5 KRW tick without a product type', () => {
      expect(messagesOf({ ...valid, symbol: 'Q500001', limitPrice: 10_002 })[0]?.message).toBe(
        'Limit price 10,002 KRW is not on the KRX tick (5 KRW for ETFs and ETNs): use 10,000 or 10,005.',
      );
    });
  });

  describe('productType', () => {
    it('invalid (and the tick is then not judged)', () => {
      expect(messagesOf({ ...valid, productType: 'fund', limitPrice: 10_005 })).toEqual([
        {
          field: 'productType',
          code: 'product-type-invalid',
          message:
            'Product type must be "stock", "etf" or "etn" (got "fund"): or leave it out for a stock.',
        },
      ]);
    });
  });

  it('reports every problem at once, in field order', () => {
    expect(
      validateOrderRequest({ symbol: 'x', side: 'hold', quantity: 0, type: 'limit' }).map(
        (issue) => issue.code,
      ),
    ).toEqual([
      'client-order-id-missing',
      'symbol-invalid',
      'side-invalid',
      'quantity-too-small',
      'price-missing',
    ]);
  });

  it.each([null, undefined, 42, 'order', [], true])(
    'a non-object (%s) reports every missing field',
    (request) => {
      expect(validateOrderRequest(request).map((issue) => issue.code)).toEqual([
        'client-order-id-missing',
        'symbol-missing',
        'side-missing',
        'quantity-missing',
        'type-missing',
      ]);
    },
  );

  it('never throws, and every message is a sentence', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              clientOrderId: fc.oneof(fc.string(), fc.anything()),
              symbol: fc.oneof(
                fc.constantFrom('005930', '00088K', 'Q500001'),
                fc.string(),
                fc.anything(),
              ),
              side: fc.oneof(fc.constantFrom('buy', 'sell'), fc.anything()),
              quantity: fc.oneof(fc.integer(), fc.double(), fc.anything()),
              type: fc.oneof(fc.constantFrom('limit', 'market'), fc.anything()),
              limitPrice: fc.oneof(fc.integer(), fc.double(), fc.anything()),
              productType: fc.oneof(fc.constantFrom('stock', 'etf', 'etn'), fc.anything()),
            },
            { requiredKeys: [] },
          ),
        ),
        (request) => {
          for (const issue of validateOrderRequest(request)) {
            expect(issue.message).toMatch(/^[A-Z].*[.?]$/);
          }
        },
      ),
    );
  });
});

describe('assertValidOrderRequest', () => {
  it('passes a valid request', () => {
    expect(() => assertValidOrderRequest(valid)).not.toThrow();
  });

  it('throws InvalidOrderError carrying every issue', () => {
    let caught: unknown;
    try {
      assertValidOrderRequest({ ...valid, quantity: 0, limitPrice: 10_005 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOrderError);
    const error = caught as InvalidOrderError;
    expect(error.code).toBe('INVALID_ORDER');
    expect(error.outcome).toBe('not_placed');
    expect(error.issues.map((issue) => issue.code)).toEqual([
      'quantity-too-small',
      'price-off-tick',
    ]);
    expect(error.message).toBe(
      'Quantity must be a whole number of shares of at least 1 (got 0). Limit price 10,005 KRW is not on the KRX tick (10 KRW for prices 5,000-19,999): use 10,000 or 10,010.',
    );
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1_000, '1,000'],
    [10_005.5, '10,005.5'],
    [-2_000_000, '-2,000,000'],
  ])('%d -> %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
